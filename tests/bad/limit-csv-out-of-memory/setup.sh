yes '1,2,3,4,5,6,7,8,9,0' | head -n 4000000 > huge.csv
