cmp old old.orig || { echo "the old file changed"; exit 1; }
if ls | grep -q "\.tmp\."; then echo "a temporary file was left: $(ls | grep "\.tmp\.")"; exit 1; fi
