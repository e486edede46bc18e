//go:build ignore

// Command imagebuild writes a container image as `docker save` writes it
// (a docker-archive: manifest.json, the config and one uncompressed layer
// tar per input), made from files of this machine's real file system,
// without a container runtime. bench/image.sh times pedigree and syft on
// it.
//
// Usage:
//
//	go run bench/imagebuild/main.go -o image.tar [-tag NAME:TAG] PATH...
//
// Each PATH, a directory or a file, is one layer: the tree under it at its
// own absolute path in the image ("/usr/bin" holds usr/bin/...), with its
// parent directories. Symbolic links are kept as links (not followed),
// files with several names on disk are hard links in the layer after the
// first, and devices, FIFOs and sockets are left out. A file that cannot
// be read is left out with a message. Layers are written to temporary files
// next to the output first, for their digests: no layer is held in memory.
package main

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

func main() {
	out := flag.String("o", "", "the docker-archive to write")
	tag := flag.String("tag", "pedigree-bench/image:latest", "the image's tag in manifest.json")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run bench/imagebuild/main.go -o image.tar [-tag NAME:TAG] PATH...")
		os.Exit(2)
	}
	if err := build(*out, *tag, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "imagebuild:", err)
		os.Exit(1)
	}
}

type layer struct {
	tmp    string // the layer tar, before it goes into the archive
	diffID string // sha256 of the layer tar, "sha256:HEX"
	size   int64
	files  int
}

func build(out, tag string, roots []string) (err error) {
	var layers []layer
	defer func() {
		for _, l := range layers {
			os.Remove(l.tmp)
		}
	}()
	for _, root := range roots {
		abs, err := filepath.Abs(root)
		if err != nil {
			return err
		}
		l, err := writeLayer(filepath.Dir(out), abs)
		if err != nil {
			return fmt.Errorf("%s: %w", root, err)
		}
		layers = append(layers, l)
		fmt.Fprintf(os.Stderr, "imagebuild: layer %d: %s: %d files, %d bytes\n", len(layers), abs, l.files, l.size)
	}

	diffIDs := make([]string, len(layers))
	names := make([]string, len(layers))
	for i, l := range layers {
		diffIDs[i] = l.diffID
		names[i] = strings.TrimPrefix(l.diffID, "sha256:") + "/layer.tar"
	}
	config, err := json.Marshal(map[string]any{
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"config":       map[string]any{},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": diffIDs},
	})
	if err != nil {
		return err
	}
	csum := sha256.Sum256(config)
	configName := hex.EncodeToString(csum[:]) + ".json"
	manifest, err := json.Marshal([]map[string]any{{"Config": configName, "RepoTags": []string{tag}, "Layers": names}})
	if err != nil {
		return err
	}

	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	tw := tar.NewWriter(f)
	add := func(name string, size int64, r io.Reader) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := io.Copy(tw, r)
		return err
	}
	if err := add("manifest.json", int64(len(manifest)), strings.NewReader(string(manifest))); err != nil {
		return err
	}
	if err := add(configName, int64(len(config)), strings.NewReader(string(config))); err != nil {
		return err
	}
	for i, l := range layers {
		lf, err := os.Open(l.tmp)
		if err != nil {
			return err
		}
		err = add(names[i], l.size, lf)
		lf.Close()
		if err != nil {
			return err
		}
	}
	return tw.Close()
}

// writeLayer writes the layer of root into a temporary file in dir.
func writeLayer(dir, root string) (l layer, err error) {
	tmp, err := os.CreateTemp(dir, "layer-*.tar")
	if err != nil {
		return l, err
	}
	l.tmp = tmp.Name()
	defer func() {
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
	}()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(tmp, h)}
	tw := tar.NewWriter(cw)

	// The parents of root, as directories.
	rel := strings.TrimPrefix(filepath.ToSlash(root), "/")
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		p := "/" + strings.Join(parts[:i], "/")
		fi, err := os.Lstat(p)
		if err != nil {
			return l, err
		}
		if err := writeEntry(tw, p, fi, nil, &l); err != nil {
			return l, err
		}
	}
	links := map[[2]uint64]string{} // (device, inode) -> the first name
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			fmt.Fprintf(os.Stderr, "imagebuild: %v, left out\n", err)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			fmt.Fprintf(os.Stderr, "imagebuild: %v, left out\n", err)
			return nil
		}
		return writeEntry(tw, p, fi, links, &l)
	})
	if err != nil {
		return l, err
	}
	if err := tw.Close(); err != nil {
		return l, err
	}
	l.size = cw.n
	l.diffID = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return l, nil
}

// writeEntry writes the file at p to the layer. links, when not nil,
// records the regular files with more than one name.
func writeEntry(tw *tar.Writer, p string, fi fs.FileInfo, links map[[2]uint64]string, l *layer) error {
	name := strings.TrimPrefix(filepath.ToSlash(p), "/")
	var target string
	switch mode := fi.Mode(); {
	case mode&fs.ModeSymlink != 0:
		t, err := os.Readlink(p)
		if err != nil {
			fmt.Fprintf(os.Stderr, "imagebuild: %v, left out\n", err)
			return nil
		}
		target = t
	case mode.IsDir(), mode.IsRegular():
	default:
		return nil // devices, FIFOs, sockets
	}
	hdr, err := tar.FileInfoHeader(fi, target)
	if err != nil {
		return err
	}
	hdr.Name = name
	if fi.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uname, hdr.Gname = "", ""
	hdr.Format = tar.FormatPAX
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && fi.Mode().IsRegular() && st.Nlink > 1 && links != nil {
		key := [2]uint64{uint64(st.Dev), st.Ino}
		if first, ok := links[key]; ok {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
			return tw.WriteHeader(hdr)
		}
		links[key] = name
	}
	if !fi.Mode().IsRegular() {
		return tw.WriteHeader(hdr)
	}
	f, err := os.Open(p)
	if err != nil {
		fmt.Fprintf(os.Stderr, "imagebuild: %v, left out\n", err)
		return nil
	}
	defer f.Close()
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	// A file that shrank since it was listed would leave the tar short:
	// pad it with zeros; one that grew is cut at its listed size.
	n, err := io.Copy(tw, io.LimitReader(f, hdr.Size))
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if n < hdr.Size {
		if _, err := io.CopyN(tw, zeros{}, hdr.Size-n); err != nil {
			return err
		}
	}
	l.files++
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
