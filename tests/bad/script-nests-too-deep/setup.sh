for i in $(seq 1 20); do printf "run s%d.fit\n" $((i + 1)) > s$i.fit; done; echo "echo deep" > s21.fit
