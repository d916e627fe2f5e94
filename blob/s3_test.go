package blob

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

// TestNewS3ErrorsNameEndpointAndBucket: a server that cannot start its
// attachment store says which bucket, where, and what is wrong.
func TestNewS3ErrorsNameEndpointAndBucket(t *testing.T) {
	good := testS3Options(t)
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	with := func(change func(*S3Options)) S3Options {
		o := good
		change(&o)
		return o
	}
	for _, tc := range []struct {
		name string
		opts S3Options
		want []string // in the error
	}{
		{"missing bucket", with(func(o *S3Options) { o.Bucket = "helpium-no-such-bucket" }),
			[]string{`"helpium-no-such-bucket"`, strings.TrimSuffix(good.Endpoint, "/"), "does not exist"}},
		{"nothing listening", with(func(o *S3Options) { o.Endpoint = closed }),
			[]string{`"` + good.Bucket + `"`, closed, "cannot check"}},
		{"wrong secret", with(func(o *S3Options) { o.SecretAccessKey = "wrong" }),
			[]string{`"` + good.Bucket + `"`, "cannot check"}},
		{"endpoint with a path", with(func(o *S3Options) { o.Endpoint = good.Endpoint + "/bucket" }),
			[]string{"without a path"}},
		{"endpoint not http", with(func(o *S3Options) { o.Endpoint = "ftp://127.0.0.1:21" }),
			[]string{"ftp://127.0.0.1:21"}},
	} {
		// Unreachable is retried until the deadline: keep the test short.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		t0 := time.Now()
		_, err := NewS3(ctx, tc.opts)
		cancel()
		if err == nil {
			t.Errorf("%s: NewS3 succeeded", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tc.name, err, w)
			}
		}
		t.Logf("%s: %v (%v)", tc.name, err, time.Since(t0).Round(time.Millisecond))
	}
}

// TestS3ObjectsArePrivate: an object is not readable without credentials,
// and keeps the content type it was put with.
func TestS3ObjectsArePrivate(t *testing.T) {
	s := testS3(t)
	ctx := context.Background()
	key := testPrefix() + "ws/1/screenshot"
	t.Cleanup(func() { s.Delete(context.Background(), key) })
	if err := s.Put(ctx, key, strings.NewReader("png"), 3, "image/png"); err != nil {
		t.Fatal(err)
	}
	st, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil || st.ContentType != "image/png" {
		t.Errorf("content type %q, %v; want image/png", st.ContentType, err)
	}
	res, err := http.Get(s.endpoint + "/" + s.bucket + "/" + key)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous GET: %s, want 403 Forbidden", res.Status)
	}
}
