printf "the old file\n" > old; cp old old.orig
