// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/note_verifier: an independent check of a signed note served
// over HTTP (the onion-address note at /log/onion-addresses), with Debian's
// golang.org/x/mod/sumdb/note. Usage: note_verifier URL VKEY_FILE
// Prints "verified by <name>" and the note's text, or exits 1 saying why.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: note_verifier URL VKEY_FILE")
	}
	vkey, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail("%v", err)
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		fail("verifier key: %v", err)
	}
	resp, err := http.Get(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		fail("GET %s: %s", os.Args[1], resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(body, note.VerifierList(verifier))
	if err != nil {
		fail("note: %v", err)
	}
	fmt.Printf("verified by %s\n%s", n.Sigs[0].Name, n.Text)
}
