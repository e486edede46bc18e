package signature

import "testing"

func TestCheckPublicReference(t *testing.T) {
	good := []string{
		"https://support.kaspersky.com/scanengine/184796",
		"Kaspersky Scan Engine: https://support.kaspersky.com/scanengine/184796",
		"olbat/nvdcve nvdcve/CVE-2019-8285.json",
		"kav4fs: quarkslab/irma ansible/roles/quarkslab.kaspersky/defaults/main.yml",
		"qweasader/gbn gb_kaspersky_av_detect.nasl line 48",
		"icewind1991/kaspersky-docker Dockerfile",
		"MicrosoftDocs/windows-driver-docs windows-driver-docs-pr/ifs/allocated-altitudes.md (snapshot 825aa15)",
	}
	for _, s := range good {
		if err := CheckPublicReference(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	bad := []string{
		"kaspersky-artifacts.md §2",
		"../shared/research/kaspersky-artifacts.md §3a",
		"code-index excerpts 14951896938, 61243132023",
		"olbat/nvdcve nvdcve/CVE-2019-8285.json; see kaspersky-artifacts.md §5",
		"Acme supplier audit 2026-11, ticket SEC-1234",
		"TCP/UDP ports",
		"",
	}
	for _, s := range bad {
		if err := CheckPublicReference(s); err == nil {
			t.Errorf("%q: accepted", s)
		}
	}
}
