"""Where a stack's state lives: the blobs of Pulumi's DIY backends (a directory, a bucket or a table), read
the same way on every scheme, and the locks an update holds there."""
