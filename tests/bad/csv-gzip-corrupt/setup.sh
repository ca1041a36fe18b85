# 1000 rows compressed, then one bit of the stored CRC-32 flipped: every row decompresses, the check at the end fails.
{ printf 'a,b,y\n'; for i in $(seq 1 1000); do printf '%d,%d,%d\n' "$i" "$((i * 7 % 13))" "$((i % 5))"; done; } |
  gzip -n -c > g.gz
n=$(stat -c %s g.gz)
{ head -c $((n - 8)) g.gz; tail -c 8 g.gz | head -c 1 | od -An -tu1 | { read -r b; printf "\\$(printf '%03o' $((b ^ 1)))"; }; tail -c 7 g.gz; } > g.csv.gz
rm g.gz
