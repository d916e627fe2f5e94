package devstack

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

func TestVersityGW(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	t0 := time.Now()
	v, err := StartVersityGW(ctx, VersityGWOptions{DataDir: filepath.Join(t.TempDir(), "versitygw")})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Stop()
	t.Logf("versitygw started in %v", time.Since(t0).Round(time.Millisecond))
	client, err := minio.New(strings.TrimPrefix(v.URL(), "http://"), &minio.Options{
		Creds:        credentials.NewStaticV4(v.AccessKeyID(), v.SecretAccessKey(), ""),
		Region:       VersityGWRegion,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := client.BucketExists(ctx, VersityGWBucket); err != nil || !ok {
		t.Fatalf("bucket %s: exists %v, %v", VersityGWBucket, ok, err)
	}
	if _, err := client.PutObject(ctx, VersityGWBucket, "a/b", strings.NewReader("hello"), 5, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	// Other keys are refused.
	bad, err := minio.New(strings.TrimPrefix(v.URL(), "http://"), &minio.Options{
		Creds: credentials.NewStaticV4(v.AccessKeyID(), "wrong", ""), Region: VersityGWRegion, BucketLookup: minio.BucketLookupPath, MaxRetries: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.StatObject(ctx, VersityGWBucket, "a/b", minio.StatObjectOptions{}); err == nil {
		t.Error("a wrong secret key was accepted")
	}
	// A restart keeps the port, the keys and the objects.
	if err := v.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	obj, err := client.GetObject(ctx, VersityGWBucket, "a/b", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(obj)
	obj.Close()
	if err != nil || string(b) != "hello" {
		t.Fatalf("after restart: %q, %v", b, err)
	}
	if err := v.Stop(); err != nil {
		t.Fatal(err)
	}
	if res, err := http.Get(v.URL()); err == nil {
		res.Body.Close()
		t.Error("versitygw still answers after Stop")
	}
	if err := v.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}
