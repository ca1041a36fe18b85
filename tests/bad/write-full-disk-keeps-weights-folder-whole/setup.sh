cp -r old orig
