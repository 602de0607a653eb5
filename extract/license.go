package extract

import (
	"os"
	"path/filepath"
	"strings"
)

// licenseRules recognise a licence by phrases of its text (lower case,
// whitespace collapsed). Order matters: the first rule whose phrases all
// occur wins, so the more specific texts come first. The GPL family is told
// by its title line, since each of those texts names the others.
var licenseRules = []struct {
	spdx    string
	phrases []string
}{
	{"AGPL-3.0", []string{"gnu affero general public license version 3"}},
	{"LGPL-3.0", []string{"gnu lesser general public license version 3"}},
	{"LGPL-2.1", []string{"gnu lesser general public license version 2.1"}},
	{"GPL-3.0", []string{"gnu general public license version 3"}},
	{"GPL-2.0", []string{"gnu general public license version 2"}},
	{"MPL-2.0", []string{"mozilla public license", "2.0"}},
	{"EPL-2.0", []string{"eclipse public license", "2.0"}},
	{"Apache-2.0", []string{"apache license", "version 2.0"}},
	{"BSL-1.0", []string{"boost software license", "version 1.0"}},
	{"Artistic-2.0", []string{"the artistic license 2.0"}},
	{"Unlicense", []string{"this is free and unencumbered software released into the public domain"}},
	{"CC0-1.0", []string{"cc0 1.0 universal"}},
	{"BSD-3-Clause", []string{"redistribution and use in source and binary forms", "neither the name"}},
	{"BSD-3-Clause", []string{"redistribution and use in source and binary forms", "names of its contributors"}},
	{"BSD-2-Clause", []string{"redistribution and use in source and binary forms"}},
	{"MIT-0", []string{"permission is hereby granted, free of charge", "without restriction", "the software is provided \"as is\""}},
	{"ISC", []string{"permission to use, copy, modify, and", "distribute this software for any purpose with or without fee is hereby granted"}},
	{"Zlib", []string{"this software is provided 'as-is'", "permission is granted to anyone to use this software for any purpose"}},
	{"PostgreSQL", []string{"permission to use, copy, modify, and distribute this software and its documentation for any purpose, without fee"}},
}

// mitNotice tells MIT from MIT-0, which drops the notice requirement.
const mitNotice = "the above copyright notice and this permission notice shall be included"

// licenseFiles are the names a repository's licence file goes by.
var licenseFiles = []string{"license", "licence", "copying", "license-mit", "unlicense"}

// DetectLicense reads the licence file at the root of a source folder and
// returns its SPDX id, or "" when there is none or it is not recognised.
func DetectLicense(root string) string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		base := strings.ToLower(e.Name())
		base = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(base, ".md"), ".txt"), ".rst")
		if e.IsDir() || !isLicenseName(base) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, e.Name()))
		if err != nil || len(b) > 1<<20 {
			continue
		}
		if id := ClassifyLicense(string(b)); id != "" {
			return id
		}
	}
	return ""
}

func isLicenseName(base string) bool {
	for _, n := range licenseFiles {
		if base == n {
			return true
		}
	}
	return false
}

// ClassifyLicense names a licence text by its SPDX id, "" when unknown.
func ClassifyLicense(text string) string {
	t := strings.Join(strings.Fields(strings.ToLower(text)), " ")
	t = strings.ReplaceAll(t, "“", "\"")
	t = strings.ReplaceAll(t, "”", "\"")
	for _, r := range licenseRules {
		if containsAll(t, r.phrases) {
			if r.spdx == "MIT-0" && strings.Contains(t, mitNotice) {
				return "MIT"
			}
			return r.spdx
		}
	}
	return ""
}

func containsAll(s string, phrases []string) bool {
	for _, p := range phrases {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
