# Shared by the tool installers (sourced): build Go programs from Go modules in a throw-away
# wrapper module, cache them in a versioned directory, swap it in atomically, one installer at a time.
# The caller sets LOG_NAME and BUILD (a temporary directory) before calling these.

export GOWORK=off GO111MODULE=on
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"

log() { printf '%s: %s\n' "$LOG_NAME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Print a field (GoMod, Dir) of a module in the module cache, downloading it.
mod_field() { # module@version Field
	go mod download -json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

# Copy the replace directives of an upstream go.mod that point at published module versions into
# the wrapper module in the current directory; local-directory replaces are the caller's.
mirror_replaces() { # path/to/upstream/go.mod
	local reps r
	reps="$(go mod edit -json "$1" | python3 -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    old, new = r["Old"], r["New"]
    if not new.get("Version"):
        continue
    lhs = old["Path"] + ("@" + old["Version"] if old.get("Version") else "")
    print(lhs + "=" + new["Path"] + "@" + new["Version"])
')"
	for r in $reps; do
		go mod edit -replace="$r"
	done
}

new_wrapper() { # dir module-name
	mkdir -p "$1"
	(cd "$1" && go mod init "$2" >/dev/null 2>&1)
}

timed() { # label cmd...
	local t0=$SECONDS
	"${@:2}"
	log "$1 took $((SECONDS - t0)) s"
}

# Long go commands run in the background and are waited for, so that Ctrl-C or a TERM reaches the
# caller's trap at once (the go command itself ignores SIGINT).
GO_PID=""
go_bg() {
	local rc=0
	go "$@" &
	GO_PID=$!
	wait "$GO_PID" || rc=$?
	GO_PID=""
	return "$rc"
}

# go build, tried once more (one package at a time) if something SIGKILLs it, e.g. the kernel when
# memory runs short; the build cache keeps the work done.
go_build() {
	local rc=0
	go_bg build "$@" || rc=$?
	if ((rc == 137)); then
		log "go build was killed; trying once more with -p 1"
		rc=0
		go_bg build -p 1 "$@" || rc=$?
	fi
	return "$rc"
}

go_get() { # log-name args...
	go_bg get "${@:2}" 2>"$BUILD/$1-get.log" || { cat "$BUILD/$1-get.log" >&2; return 1; }
}

# Remove the build directory (and a half-made staging directory) on exit.
STAGING=""
gotools_cleanup() {
	[[ -z "${GO_PID:-}" ]] || kill "$GO_PID" 2>/dev/null || true
	cd /
	chmod -R u+w "$BUILD" 2>/dev/null || true
	rm -rf "$BUILD"
	[[ -z "$STAGING" ]] || rm -rf "$STAGING"
}

# Replace the tools directory with the staging one in one rename, so it is never seen half-filled.
swap_in() { # staging-dir tools-dir
	local old=""
	chmod 0755 "$1"
	if [[ -e "$2" ]]; then
		old="$2.old.$$"
		mv "$2" "$old"
	fi
	mv "$1" "$2"
	STAGING=""
	[[ -z "$old" ]] || rm -rf "$old"
}
