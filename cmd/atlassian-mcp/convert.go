package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/adf"
)

func runConvert(_ context.Context, s streams, args []string) error {
	fs := newFlags(s, "convert", "--from FORMAT --to FORMAT < in > out",
		"Convert between markdown, ADF (Jira) and storage format (Confluence), reading stdin and writing stdout.\n"+
			"FORMAT is markdown, adf or storage. ADF is written as indented JSON.")
	from := fs.String("from", "", "input format: markdown, adf or storage")
	to := fs.String("to", "", "output format: markdown, adf or storage")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (input comes from stdin)", fs.Arg(0))
	}
	f, t := strings.ToLower(*from), strings.ToLower(*to)
	for _, v := range []struct{ name, val string }{{"--from", f}, {"--to", t}} {
		switch v.val {
		case "markdown", "adf", "storage":
		case "":
			return usagef("%s is required (markdown, adf or storage)", v.name)
		default:
			return usagef("%s %q is not a format (markdown, adf or storage)", v.name, v.val)
		}
	}
	// Read one byte more than the limit so an oversized input is reported, not truncated.
	in, err := io.ReadAll(io.LimitReader(s.in, adf.MaxInputSize+1))
	if err != nil {
		return fmt.Errorf("reading stdin: %v", err)
	}
	if len(in) > adf.MaxInputSize {
		return fmt.Errorf("%v", adf.ErrTooLarge)
	}
	out, err := convert(f, t, in)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(s.out, out); err != nil {
		return exitStatus(exitFailure)
	}
	return nil
}

// convert runs one conversion; ADF travels as a parsed *adf.Doc between
// the steps so every direction goes through the package's converters.
func convert(from, to string, in []byte) (string, error) {
	if from == to {
		if from == "adf" {
			d, err := adf.Parse(in)
			if err != nil {
				return "", err
			}
			return prettyADF(d)
		}
		return string(in), nil
	}
	switch from + ">" + to {
	case "markdown>adf":
		d, err := adf.FromMarkdown(string(in))
		if err != nil {
			return "", err
		}
		return prettyADF(d)
	case "adf>markdown":
		d, err := adf.Parse(in)
		if err != nil {
			return "", err
		}
		return adf.ToMarkdown(d)
	case "markdown>storage":
		return withNewline(adf.MarkdownToStorage(string(in)))
	case "adf>storage":
		d, err := adf.Parse(in)
		if err != nil {
			return "", err
		}
		return withNewline(adf.ToStorage(d))
	case "storage>markdown":
		return adf.StorageToMarkdown(string(in))
	case "storage>adf":
		md, err := adf.StorageToMarkdown(string(in))
		if err != nil {
			return "", err
		}
		d, err := adf.FromMarkdown(md)
		if err != nil {
			return "", err
		}
		return prettyADF(d)
	}
	return "", errors.New("unsupported conversion " + from + " -> " + to)
}

func prettyADF(d *adf.Doc) (string, error) {
	b, err := d.MarshalIndent()
	return string(b), err
}

func withNewline(s string, err error) (string, error) {
	if err != nil || s == "" || strings.HasSuffix(s, "\n") {
		return s, err
	}
	return s + "\n", nil
}
