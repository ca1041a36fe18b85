{ head -c 1048577 /dev/zero | tr '\0' a; echo; echo 'echo after'; } >> cmd.fit
