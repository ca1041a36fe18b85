mkdir dir.csv
