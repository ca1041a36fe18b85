printf "a,b,y\n1,2,3\n" | gzip -c > g.csv
