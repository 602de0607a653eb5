package dataset

import (
	"fmt"
	"slices"
	"strings"
)

// Permissive lists the SPDX ids that the "permissive" licence policy keeps.
var Permissive = []string{
	"MIT", "MIT-0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "0BSD", "Unlicense",
	"Zlib", "BSL-1.0", "CC0-1.0", "PostgreSQL", "Python-2.0",
}

// LicensePolicy says which repository licences may enter a dataset. The
// zero value allows any, including none found.
type LicensePolicy struct {
	Allowed []string // SPDX ids; empty means any
}

// ParseLicensePolicy reads "any", "permissive" or a comma-separated list of
// SPDX ids. A repository without a recognised licence passes only "any".
func ParseLicensePolicy(s string) (LicensePolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "any":
		return LicensePolicy{}, nil
	case "permissive":
		return LicensePolicy{Allowed: Permissive}, nil
	}
	var ids []string
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return LicensePolicy{}, fmt.Errorf("licence policy %q: no SPDX ids", s)
	}
	return LicensePolicy{Allowed: ids}, nil
}

// Allows reports whether a repository licence passes the policy.
func (p LicensePolicy) Allows(spdx string) bool {
	return len(p.Allowed) == 0 || spdx != "" && slices.ContainsFunc(p.Allowed, func(a string) bool { return strings.EqualFold(a, spdx) })
}

// MarshalText writes the policy as ParseLicensePolicy reads it.
func (p LicensePolicy) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads a policy written by MarshalText.
func (p *LicensePolicy) UnmarshalText(b []byte) error {
	q, err := ParseLicensePolicy(string(b))
	*p = q
	return err
}

// String is the policy as ParseLicensePolicy reads it.
func (p LicensePolicy) String() string {
	switch {
	case len(p.Allowed) == 0:
		return "any"
	case slices.Equal(p.Allowed, Permissive):
		return "permissive"
	}
	return strings.Join(p.Allowed, ",")
}
