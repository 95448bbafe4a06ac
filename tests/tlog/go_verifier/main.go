// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/tlog/go_verifier: an independent check of a Safehouse log, built
// against Debian's golang.org/x/mod (sumdb/note, sumdb/tlog) and nothing of
// ours. It fetches the checkpoint and tiles over HTTP and checks:
//   - the checkpoint's signature (note.Open with the log's verifier key);
//   - the root recomputed from the tiles (tlog.TileHashReader verifies
//     every tile it reads against the checkpoint, then tlog.TreeHash);
//   - every entry in the entry bundles against the level-0 hashes;
//   - inclusion and consistency proofs x/mod makes from the tiles, and the
//     ones our TileLog made (proofs.txt), with CheckRecord / CheckTree;
//   - that a proof with one bit flipped is refused (the check is not vacuous).
//
// Usage: go_verifier URL VKEY_FILE OLD_CHECKPOINT_FILE PROOFS_FILE
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var client = &http.Client{Timeout: 30 * time.Second}
var baseURL string

func fetch(path string) ([]byte, error) {
	resp, err := client.Get(baseURL + "/" + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// C2SP tlog-tiles paths are x/mod's with the height element dropped and
// "data" spelled "entries".
func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), "tile/8/")
	if strings.HasPrefix(p, "data/") {
		return "tile/entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

type tileReader struct{ fetched int }

func (r *tileReader) Height() int { return 8 }
func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := fetch(c2spPath(t))
		if err != nil {
			return nil, err
		}
		r.fetched++
		out[i] = data
	}
	return out, nil
}
func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

type checkpoint struct {
	origin string
	tree   tlog.Tree
}

func openCheckpoint(msg []byte, verifier note.Verifier) (checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		return checkpoint{}, errors.New("checkpoint: too few lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint size: %w", err)
	}
	hash, err := tlog.ParseHash(lines[2])
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint root: %w", err)
	}
	return checkpoint{lines[0], tlog.Tree{N: size, Hash: hash}}, nil
}

func parseBundle(data []byte, width int) ([][]byte, error) {
	var entries [][]byte
	for i := 0; i < width; i++ {
		if len(data) < 2 {
			return nil, fmt.Errorf("bundle: entry %d: no length", i)
		}
		n := int(data[0])<<8 | int(data[1])
		if len(data) < 2+n {
			return nil, fmt.Errorf("bundle: entry %d: cut short", i)
		}
		entries = append(entries, data[2:2+n])
		data = data[2+n:]
	}
	if len(data) != 0 {
		return nil, errors.New("bundle: trailing bytes")
	}
	return entries, nil
}

func parseProof(fields []string) (tlog.RecordProof, error) {
	var proof tlog.RecordProof
	for _, f := range fields {
		h, err := tlog.ParseHash(f)
		if err != nil {
			return nil, err
		}
		proof = append(proof, h)
	}
	return proof, nil
}

func run() error {
	if len(os.Args) != 5 {
		return errors.New("usage: go_verifier URL VKEY_FILE OLD_CHECKPOINT_FILE PROOFS_FILE")
	}
	baseURL = strings.TrimSuffix(os.Args[1], "/")
	vkey, err := os.ReadFile(os.Args[2])
	if err != nil {
		return err
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		return fmt.Errorf("verifier key: %w", err)
	}
	msg, err := fetch("checkpoint")
	if err != nil {
		return err
	}
	cp, err := openCheckpoint(msg, verifier)
	if err != nil {
		return err
	}
	oldMsg, err := os.ReadFile(os.Args[3])
	if err != nil {
		return err
	}
	old, err := openCheckpoint(oldMsg, verifier)
	if err != nil {
		return fmt.Errorf("old %w", err)
	}
	if old.origin != cp.origin {
		return errors.New("old checkpoint has another origin")
	}
	tree := cp.tree
	fmt.Printf("checkpoint: origin %s size %d signature ok\n", cp.origin, tree.N)

	reader := &tileReader{}
	hr := tlog.TileHashReader(tree, reader)
	root, err := tlog.TreeHash(tree.N, hr)
	if err != nil {
		return fmt.Errorf("root from tiles: %w", err)
	}
	if root != tree.Hash {
		return errors.New("root from tiles differs from the checkpoint")
	}
	fmt.Printf("root recomputed from tiles: ok (%d tiles read)\n", reader.fetched)

	// Every entry against its level-0 hash.
	checked := int64(0)
	for start := int64(0); start < tree.N; start += 256 {
		width := tree.N - start
		if width > 256 {
			width = 256
		}
		t := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(width)}
		data, err := fetch(c2spPath(t))
		if err != nil {
			return err
		}
		entries, err := parseBundle(data, int(width))
		if err != nil {
			return fmt.Errorf("%s: %w", c2spPath(t), err)
		}
		indexes := make([]int64, width)
		for i := range indexes {
			indexes[i] = tlog.StoredHashIndex(0, start+int64(i))
		}
		hashes, err := hr.ReadHashes(indexes)
		if err != nil {
			return err
		}
		for i, e := range entries {
			if tlog.RecordHash(e) != hashes[i] {
				return fmt.Errorf("entry %d does not match its leaf hash", start+int64(i))
			}
			if !strings.HasPrefix(string(e), "safehouse/case-event/v1\n") {
				return fmt.Errorf("entry %d is not a case event", start+int64(i))
			}
			checked++
		}
	}
	fmt.Printf("entries checked against the tree: %d\n", checked)

	// x/mod's own proofs from the tiles.
	for _, i := range []int64{0, old.tree.N - 1, tree.N / 2, tree.N - 1} {
		p, err := tlog.ProveRecord(tree.N, i, hr)
		if err != nil {
			return err
		}
		leaf, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err != nil {
			return err
		}
		if err := tlog.CheckRecord(p, tree.N, tree.Hash, i, leaf[0]); err != nil {
			return fmt.Errorf("x/mod inclusion %d: %w", i, err)
		}
	}
	tp, err := tlog.ProveTree(tree.N, old.tree.N, hr)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(tp, tree.N, tree.Hash, old.tree.N, old.tree.Hash); err != nil {
		return fmt.Errorf("x/mod consistency %d→%d: %w", old.tree.N, tree.N, err)
	}
	fmt.Printf("x/mod proofs from tiles: ok\n")

	// Our proofs.
	roots := map[int64]tlog.Hash{tree.N: tree.Hash, old.tree.N: old.tree.Hash}
	file, err := os.Open(os.Args[4])
	if err != nil {
		return err
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	ours := 0
	for scanner.Scan() {
		f := strings.Fields(scanner.Text())
		if len(f) < 3 {
			return fmt.Errorf("proofs.txt: bad line %q", scanner.Text())
		}
		a, _ := strconv.ParseInt(f[1], 10, 64)
		b, _ := strconv.ParseInt(f[2], 10, 64)
		proof, err := parseProof(f[3:])
		if err != nil {
			return err
		}
		switch f[0] {
		case "inclusion":
			root, ok := roots[b]
			if !ok {
				return fmt.Errorf("proofs.txt: no root for size %d", b)
			}
			leaf, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, a)})
			if err != nil {
				return err
			}
			if err := tlog.CheckRecord(proof, b, root, a, leaf[0]); err != nil {
				return fmt.Errorf("our inclusion proof %d in %d: %w", a, b, err)
			}
			if len(proof) > 0 {
				proof[0][0] ^= 1
				if tlog.CheckRecord(proof, b, root, a, leaf[0]) == nil {
					return errors.New("a tampered inclusion proof was accepted")
				}
			}
		case "consistency":
			tproof := tlog.TreeProof(proof)
			if err := tlog.CheckTree(tproof, b, roots[b], a, roots[a]); err != nil {
				return fmt.Errorf("our consistency proof %d→%d: %w", a, b, err)
			}
			if len(tproof) > 0 {
				tproof[len(tproof)-1][0] ^= 1
				if tlog.CheckTree(tproof, b, roots[b], a, roots[a]) == nil {
					return errors.New("a tampered consistency proof was accepted")
				}
			}
		default:
			return fmt.Errorf("proofs.txt: unknown kind %q", f[0])
		}
		ours++
	}
	if ours == 0 {
		return errors.New("proofs.txt: no proofs")
	}
	fmt.Printf("our proofs checked by x/mod: %d ok\n", ours)
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "go_verifier: FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("go_verifier: PASS")
}
