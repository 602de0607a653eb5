package extract

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/codeloom/codeloom/internal/testfixture"
)

func TestClassifyLicense(t *testing.T) {
	goLicense, err := os.ReadFile(filepath.Join(testfixture.GoRoot(t), "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		mitLicense:        "MIT",
		string(goLicense): "BSD-3-Clause",
		"                                 Apache License\n                           Version 2.0, January 2004\n":                                                "Apache-2.0",
		"                    GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007\n ... use the GNU Lesser General Public License instead": "GPL-3.0",
		"                   GNU LESSER GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007\n":                                                 "LGPL-3.0",
		"GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991":                                                                                                       "GPL-2.0",
		"Mozilla Public License Version 2.0\n==================================":                                                                                 "MPL-2.0",
		"This is free and unencumbered software released into the public domain.":                                                                                "Unlicense",
		"Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted":                                 "ISC",
		"                       The Artistic License 2.0\n\n           Copyright (c) 2000-2006, The Perl Foundation.":                                            "Artistic-2.0",
		"All rights reserved. Do not copy.": "",
	}
	for text, want := range cases {
		if got := ClassifyLicense(text); got != want {
			t.Errorf("ClassifyLicense(%.40q...) = %q, want %q", text, got, want)
		}
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"LICENSE.md": mitLicense})
	if got := DetectLicense(dir); got != "MIT" {
		t.Errorf("DetectLicense = %q", got)
	}
	if got := DetectLicense(t.TempDir()); got != "" {
		t.Errorf("DetectLicense of a folder without licence = %q", got)
	}
}
