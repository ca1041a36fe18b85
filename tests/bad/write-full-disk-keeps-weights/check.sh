cmp old/W.npy W.orig || { echo "the old W.npy changed"; exit 1; }
if ls old | grep -q "\.tmp\."; then echo "a temporary file was left"; exit 1; fi
