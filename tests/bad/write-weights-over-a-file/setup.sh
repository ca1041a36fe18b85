echo text > f
