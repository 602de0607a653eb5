// Package sourcespec tells the kinds of source apart as they are written on
// the command line and in pipeline configs, so that extraction (which
// fetches them) and the pipeline (which fingerprints the local ones) decide
// alike. It looks at the spelling only, never at the filesystem.
package sourcespec

import "strings"

// IsLocal reports whether spec names a local folder or @list file rather
// than a repository to fetch: it is not a URL (scheme://...), not
// github.com/owner/name, and not scp-like (user@host:path).
func IsLocal(spec string) bool {
	return !strings.Contains(spec, "://") && !strings.HasPrefix(spec, "github.com/") && !IsSCP(spec)
}

// IsSCP reports whether spec is git's scp-like form, user@host:path: a
// colon before any slash, with an @ before it.
func IsSCP(spec string) bool {
	i, j := strings.Index(spec, ":"), strings.Index(spec, "/")
	return i > 0 && (j < 0 || i < j) && strings.Contains(spec[:i], "@")
}
