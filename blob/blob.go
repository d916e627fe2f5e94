// Package blob stores the bytes of conversation attachments: on local disk
// (one server, or a shared volume) or in an S3-compatible bucket (several
// replicas). The database keeps what an attachment is; a Store keeps only
// its bytes, under a key the caller chooses.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Store keeps attachment bytes under keys such as "ws/<workspace id>/<attachment id>".
type Store interface {
	// Put stores exactly size bytes read from r under key. It is all or
	// nothing: when it returns an error (including r failing or yielding a
	// different number of bytes), none of r's bytes are readable under key;
	// a key never written stays missing. Keys are meant to be written once.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open returns the object and its size; an error wrapping ErrNotFound
	// when there is none.
	Open(ctx context.Context, key string) (io.ReadCloser, int64, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every object whose key starts with prefix (used
	// when a workspace is deleted). The prefix is a key, a key followed by
	// "/", or such a key cut short; an empty prefix is refused.
	DeletePrefix(ctx context.Context, prefix string) error
}

// ErrNotFound means no object is stored under the key.
var ErrNotFound = errors.New("blob: not found")

// Key limits. Segments stay within what every filesystem accepts as a file
// name; the whole key within S3's 1,024 bytes, with room to spare.
const (
	MaxKeyLength     = 512
	maxSegmentLength = 255
)

// ValidKey reports why key may not be used, or nil: a key is relative,
// at most MaxKeyLength bytes, and made of "/"-separated segments of
// A-Z, a-z, 0-9, '.', '_' and '-', none of them empty, "." or "..". So a
// key never names anything outside the store, on disk or in a bucket.
func ValidKey(key string) error {
	if key == "" {
		return errors.New("blob: empty key")
	}
	if len(key) > MaxKeyLength {
		return fmt.Errorf("blob: key longer than %d bytes", MaxKeyLength)
	}
	for _, seg := range strings.Split(key, "/") {
		if err := validSegment(seg); err != nil {
			return fmt.Errorf("blob: key %q: %w", key, err)
		}
	}
	return nil
}

// validPrefix checks a DeletePrefix prefix: whole valid segments, then an
// optional partial one (the characters of a segment, possibly none after a
// trailing "/").
func validPrefix(prefix string) error {
	if prefix == "" {
		return errors.New("blob: empty prefix (it would delete everything)")
	}
	if len(prefix) > MaxKeyLength {
		return fmt.Errorf("blob: prefix longer than %d bytes", MaxKeyLength)
	}
	segs := strings.Split(prefix, "/")
	for _, seg := range segs[:len(segs)-1] {
		if err := validSegment(seg); err != nil {
			return fmt.Errorf("blob: prefix %q: %w", prefix, err)
		}
	}
	last := segs[len(segs)-1]
	if len(segs) == 1 && last == "" {
		return fmt.Errorf("blob: prefix %q: empty segment", prefix)
	}
	if !segmentChars(last) || len(last) > maxSegmentLength {
		return fmt.Errorf("blob: prefix %q: its last segment may only hold A-Z, a-z, 0-9, '.', '_' and '-'", prefix)
	}
	return nil
}

func validSegment(seg string) error {
	switch {
	case seg == "":
		return errors.New("empty segment (a leading, trailing or doubled /)")
	case seg == "." || seg == "..":
		return fmt.Errorf("segment %q", seg)
	case len(seg) > maxSegmentLength:
		return fmt.Errorf("segment longer than %d bytes", maxSegmentLength)
	case !segmentChars(seg):
		return errors.New("segments may only hold A-Z, a-z, 0-9, '.', '_' and '-'")
	}
	return nil
}

func segmentChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// exactReader reads exactly size bytes from r and fails instead of
// delivering the last of them when r has more, or ends early. Failing
// before the last byte is handed on matters: a store that has read size
// bytes may commit without ever reading again.
type exactReader struct {
	r    io.Reader
	left int64
	done bool
}

func newExactReader(r io.Reader, size int64) *exactReader { return &exactReader{r: r, left: size} }

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left == 0 {
		if !e.done {
			if err := e.checkEnd(); err != nil {
				return 0, err
			}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if e.left == 0 {
		if err := e.checkEnd(); err != nil {
			return 0, err
		}
		return n, io.EOF
	}
	switch {
	case err == io.EOF:
		return n, fmt.Errorf("blob: the content ended %d bytes short of its size: %w", e.left, io.ErrUnexpectedEOF)
	case err != nil:
		return n, fmt.Errorf("blob: read content: %w", err)
	}
	return n, nil
}

// checkEnd makes sure r has nothing after the size bytes read.
func (e *exactReader) checkEnd() error {
	var b [1]byte
	for {
		n, err := e.r.Read(b[:])
		if n > 0 {
			return errors.New("blob: the content is longer than its size")
		}
		if err == io.EOF {
			e.done = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("blob: read content: %w", err)
		}
	}
}
