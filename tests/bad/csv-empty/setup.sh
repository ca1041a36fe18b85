: > e.csv
