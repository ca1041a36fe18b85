mkdir old; printf "the old W\n" > old/W.npy; cp old/W.npy W.orig
