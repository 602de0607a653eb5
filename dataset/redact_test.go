package dataset

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	key := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"
	cases := []struct {
		in, want string
		kind     string
	}{
		{`mail("jane.doe@corp.io")`, `mail("<EMAIL>")`, RedactEmail},
		{`addr := "203.0.113.7:80"`, `addr := "<IP_ADDRESS>:80"`, RedactIP},
		{`dial("2001:db8:85a3::8a2e:370:7334")`, `dial("<IP_ADDRESS>")`, RedactIP},
		{"k = '''" + key + "'''", "k = '''<PRIVATE_KEY>'''", RedactPrivateKey},
		{`aws = "AKIAIOSFODNN7EXAMPLE"`, `aws = "<TOKEN>"`, RedactToken},
		{`gh = "ghp_` + strings.Repeat("a1B2", 9) + `"`, `gh = "<TOKEN>"`, RedactToken},
		{`slack("xoxb-123456789012-abcdefghij")`, `slack("<TOKEN>")`, RedactToken},
		{`password = "hunter2hunter2"`, `password = "<SECRET>"`, RedactSecret},
		{`"api_key": "q8ZfX2pLk9Rw"`, `"api_key": "<SECRET>"`, RedactSecret},
		{`blob = "Zx8qP2mK7vR4tY9wB3nL6hJ1"`, `blob = "<SECRET>"`, RedactSecret},
	}
	for _, tc := range cases {
		counts := map[string]int{}
		if got := Redact(tc.in, counts); got != tc.want || counts[tc.kind] != 1 || len(counts) != 1 {
			t.Errorf("Redact(%q) = %q %v, want %q with one %s", tc.in, got, counts, tc.want, tc.kind)
		}
	}
	// None of these is a secret or personal data.
	for _, in := range []string{
		`send("someone@example.com")`,
		`listen("127.0.0.1:8080"); lan := "192.168.1.20"; any := "0.0.0.0"`,
		`version = "1.2.3.4.5"`,
		`// per RFC 8785, section 3.2.2.3 and ECMA-262 section 7.1.12.1`,
		`dns := "8.8.8.8"`,
		`auth_header = "Authorization"`,
		`password = "${DB_PASSWORD}"`,
		`std::vector<int> v; a::b::c();`,
		`@property`,
		`name = "configuration_file_path"`,
		`if token == "abcdefghijklmnop" {`,
		`msg = "hello world, this is a long string with spaces"`,
		`sha = "da39a3ee5e6b4b0d3255bfef95601890afd80709"`,
	} {
		counts := map[string]int{}
		if got := Redact(in, counts); got != in || len(counts) != 0 {
			t.Errorf("Redact(%q) = %q %v, want it unchanged", in, got, counts)
		}
	}
}
