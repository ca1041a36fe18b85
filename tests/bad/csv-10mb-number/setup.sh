{ printf 'a,b,y\n1,2,3\n4,'; head -c 10000000 /dev/zero | tr '\0' 7; printf ',5\n'; } > big.csv
