// agentkube-state reads and writes the blobs of a Pulumi DIY backend (file://, s3://, gs://,
// azblob://, postgres://) through the same gocloud.dev openers the pulumi CLI uses, so that
// agentkube sees a stack's history, checkpoints and locks wherever the stack lives.
//
//	agentkube-state list   URL PREFIX      JSON [{key, size, modTime}] of every blob under PREFIX
//	agentkube-state read   URL KEY...      JSON [{key, data}] (data base64) of each KEY
//	agentkube-state write  URL KEY         the blob KEY := stdin
//	agentkube-state delete URL KEY         remove the blob KEY (absent is not an error)
//
// Credentials come from the environment, as for pulumi. Errors never print the URL's user info.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/azureblob"
	_ "gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/gcsblob"
	_ "gocloud.dev/blob/s3blob"
	"gocloud.dev/gcerrors"

	"github.com/pulumi/pulumi/pkg/v3/authhelpers"
	_ "github.com/pulumi/pulumi/pkg/v3/backend/diy/postgres" // registers postgres:// as pulumi does
)

type entry struct {
	Key     string    `json:"key"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modTime"`
}

type blobData struct {
	Key  string `json:"key"`
	Data []byte `json:"data"`
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: agentkube-state list|read|write|delete URL KEY...")
		os.Exit(2)
	}
	verb, raw, args := os.Args[1], os.Args[2], os.Args[3:]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bucket, err := open(ctx, raw)
	if err == nil {
		defer bucket.Close()
		err = run(ctx, bucket, verb, args)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "agentkube-state %s %s: %s\n", verb, redact(raw), scrub(err.Error(), raw))
		if gcerrors.Code(err) == gcerrors.NotFound {
			os.Exit(3)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, bucket *blob.Bucket, verb string, args []string) error {
	out := json.NewEncoder(os.Stdout)
	switch verb {
	case "list":
		found := []entry{}
		it := bucket.List(&blob.ListOptions{Prefix: args[0]})
		for {
			obj, err := it.Next(ctx)
			if errors.Is(err, io.EOF) {
				return out.Encode(found)
			}
			if err != nil {
				return err
			}
			if !obj.IsDir {
				found = append(found, entry{obj.Key, obj.Size, obj.ModTime})
			}
		}
	case "read":
		blobs := make([]blobData, 0, len(args))
		for _, key := range args {
			data, err := bucket.ReadAll(ctx, key)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			blobs = append(blobs, blobData{key, data})
		}
		return out.Encode(blobs)
	case "write":
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			return err
		}
		return bucket.WriteAll(ctx, args[0], data, nil)
	case "delete":
		if err := bucket.Delete(ctx, args[0]); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return err
		}
		return nil
	}
	return fmt.Errorf("unknown verb %q (list, read, write, delete)", verb)
}

// open opens the backend URL the way pulumi's DIY backend reads it: the path of a non-file URL
// is a prefix inside the bucket (or table), and s3:// endpoints without a scheme get one.
func open(ctx context.Context, raw string) (*blob.Bucket, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	mux := blob.DefaultURLMux()
	prefix := ""
	switch u.Scheme {
	case "file":
		q := u.Query()
		if q.Get("no_tmp_dir") == "" {
			q.Set("no_tmp_dir", "true")
		}
		u.RawQuery = q.Encode()
	case "s3":
		s3Endpoint(u)
	case gcsblob.Scheme:
		if mux, err = authhelpers.GoogleCredentialsMux(ctx); err != nil {
			return nil, err
		}
	case azureblob.Scheme:
		mux = &blob.URLMux{}
		mux.RegisterBucket(azureblob.Scheme, &azureblob.URLOpener{
			MakeClient:        azureblob.NewDefaultClient,
			ServiceURLOptions: *azureblob.NewDefaultServiceURLOptions(),
		})
	}
	if u.Scheme != "file" {
		prefix = strings.TrimLeft(u.Path, "/")
	}
	bucket, err := mux.OpenBucket(ctx, u.String())
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		bucket = blob.PrefixedBucket(bucket, strings.TrimSuffix(prefix, "/")+"/")
	}
	return bucket, nil
}

// s3Endpoint gives a scheme-less endpoint the one its v1-era flags imply, as pulumi does.
func s3Endpoint(u *url.URL) {
	q := u.Query()
	insecure := q.Get("disableSSL") == "true" || q.Get("disable_https") == "true"
	if q.Has("disableSSL") {
		q.Del("disableSSL")
		if insecure {
			q.Set("disable_https", "true")
		}
	}
	if endpoint := q.Get("endpoint"); endpoint != "" {
		if !strings.Contains(endpoint, "://") {
			scheme := "https://"
			if insecure {
				scheme = "http://"
			}
			q.Set("endpoint", scheme+endpoint)
		}
		if q.Get("request_checksum_calculation") == "" && os.Getenv("AWS_REQUEST_CHECKSUM_CALCULATION") == "" {
			q.Set("request_checksum_calculation", "when_required")
		}
	}
	u.RawQuery = q.Encode()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<backend URL>"
	}
	if u.User == nil {
		return u.String()
	}
	rest := *u
	rest.User = nil
	return strings.Replace(rest.String(), "://", "://****@", 1)
}

// scrub removes the URL's password from a driver's message, should one repeat it.
func scrub(msg, raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "****")
		}
	}
	return msg
}
