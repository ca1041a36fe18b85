diff -r old orig >/dev/null || { echo "the old folder changed: $(diff -rq old orig | tr "\n" " ")"; exit 1; }
