package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runConvertCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"convert"}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestConvertDirections(t *testing.T) {
	md := "# Title\n\nHello **world** and @[Ann](accountid:123).\n\n- [ ] task\n"
	code, adfOut, stderr := runConvertCLI(t, md, "--from", "markdown", "--to", "adf")
	if code != exitOK {
		t.Fatalf("markdown->adf exit %d: %s", code, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(adfOut), &doc); err != nil {
		t.Fatalf("ADF output is not JSON: %v\n%s", err, adfOut)
	}
	if doc["type"] != "doc" || !strings.Contains(adfOut, "\n  \"version\": 1") {
		t.Errorf("want an indented doc, got:\n%s", adfOut)
	}
	if !strings.Contains(adfOut, `"type": "mention"`) || !strings.Contains(adfOut, `"type": "taskList"`) {
		t.Errorf("mention or task list missing:\n%s", adfOut)
	}

	code, mdOut, stderr := runConvertCLI(t, adfOut, "--from", "adf", "--to", "markdown")
	if code != exitOK {
		t.Fatalf("adf->markdown exit %d: %s", code, stderr)
	}
	if mdOut != md {
		t.Errorf("adf->markdown = %q, want %q", mdOut, md)
	}

	code, again, _ := runConvertCLI(t, adfOut, "--from", "adf", "--to", "adf")
	if code != exitOK || again != adfOut {
		t.Errorf("adf->adf should reformat to the same JSON, got exit %d:\n%s", code, again)
	}

	for _, dir := range [][2]string{{"markdown", "storage"}, {"adf", "storage"}, {"storage", "markdown"}, {"storage", "adf"}} {
		in := md
		switch dir[0] {
		case "adf":
			in = adfOut
		case "storage":
			in = "<h1>Title</h1><p>Hello <strong>world</strong></p>"
		}
		code, out, stderr := runConvertCLI(t, in, "--from", dir[0], "--to", dir[1])
		if code != exitOK {
			t.Errorf("%s->%s exit %d: %s", dir[0], dir[1], code, stderr)
			continue
		}
		if !strings.Contains(out, "Title") || !strings.Contains(out, "world") {
			t.Errorf("%s->%s lost text:\n%s", dir[0], dir[1], out)
		}
	}
}

func TestConvertErrors(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"missing from", "", []string{"--to", "adf"}, exitUsage, "--from is required"},
		{"missing to", "", []string{"--from", "adf"}, exitUsage, "--to is required"},
		{"bad format", "", []string{"--from", "html", "--to", "adf"}, exitUsage, `"html" is not a format`},
		{"extra argument", "", []string{"--from", "adf", "--to", "markdown", "file.json"}, exitUsage, "unexpected argument"},
		{"malformed adf", `{"type":"doc",`, []string{"--from", "adf", "--to", "markdown"}, exitFailure, "malformed JSON"},
		{"not a doc", `{"type":"paragraph"}`, []string{"--from", "adf", "--to", "markdown"}, exitFailure, "root type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runConvertCLI(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not mention %q", stderr, tt.want)
			}
			if out != "" {
				t.Errorf("nothing should reach stdout on error, got %q", out)
			}
		})
	}
}

func TestConvertTooLarge(t *testing.T) {
	big := strings.Repeat("a", 10<<20+1)
	code, _, stderr := runConvertCLI(t, big, "--from", "markdown", "--to", "adf")
	if code != exitFailure || !strings.Contains(stderr, "limit") {
		t.Errorf("exit %d, stderr %q; want a size-limit error", code, stderr)
	}
}
