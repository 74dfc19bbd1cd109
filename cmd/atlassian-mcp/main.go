// Command atlassian-mcp is an MCP server that gives AI agents Jira and
// Confluence tools on an Atlassian Cloud site through one OAuth 2.0 (3LO)
// connection. Each subcommand lives in its own file and stays thin: it parses
// flags, builds its dependencies and calls into a package.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// gcPercent is the garbage collector's target (GOGC) when the environment
// sets none: the heap may grow to three times what is live before a cycle,
// not Go's default two. The live heap of a server is small (the schema
// snapshot, the tools, the connections: a few MB), so the cost is a few MB
// at most; GOGC or GOMEMLIMIT in the environment take precedence as usual.
// What it buys (issue 12, the same binary with GOGC=100 and 200,
// alternating): a start no longer spends a collection cycle on the
// package-init garbage of its dependencies (page faults to tools/list
// 1,655 -> 1,382; make bench-start's peak RSS 19.45-19.57 -> 18.52-18.55
// MiB and x-floor 1.77 -> 1.52, medians of 3 runs), the peak after two
// real tool calls is unchanged (21.6 MiB), and BenchmarkHTTPThroughput's
// median went 1,440 -> 1,636 calls/s at 11% less CPU per call, p99 48.6 ->
// 41.3 ms (11 alternating runs each, GOGC set for the whole benchmark
// process, so the sandbox and the clients gain too). What it costs: an idle
// HTTP server holds ~1.5 MB more after a call, and a 50 MB stdio line
// peaks ~3 MB higher (BenchmarkOversizedRequestsRSS: 14.8 -> 18 MB, under
// issue 11's 20 MB bar).
const gcPercent = 200

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// streams are the standard streams a subcommand reads and writes. In stdio
// serving mode stdout belongs to the protocol: nothing else may write there.
type streams struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, s streams, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the MCP tools over stdio (default) or streamable HTTP", runServe},
		{"connect", "connect an Atlassian Cloud site through the browser OAuth flow", runConnect},
		{"status", "show the connection details and health", runStatus},
		{"disconnect", "delete a connection's tokens and cached data", runDisconnect},
		{"store", "migrate, inspect or fill the PostgreSQL store shared by replicas", runStore},
		{"rotate-key", "re-encrypt the stored secrets with a new key version", runRotateKey},
		{"schema", "browse (or refresh) the discovered site schema", runSchema},
		{"tools", "print the tools exactly as an MCP client lists them", runTools},
		{"call", "invoke one tool and print its result", runCall},
		{"audit", "list and filter the audit log", runAudit},
		{"agent", "manage HTTP agents and their tokens", runAgent},
		{"config", "show or replace the whole agents config (file or database)", runConfig},
		{"admin", "manage the admin console's token", runAdmin},
		{"convert", "convert between markdown, ADF and Confluence storage format", runConvert},
		{"sandbox", "run a local, seeded Atlassian Cloud stand-in", runSandbox},
		{"version", "print the version", runVersion},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := streams{in: stdin, out: stdout, err: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printUsage(stdout)
		return exitOK
	case "-v", "--version":
		return exitCode(stderr, "version", runVersion(ctx, s, nil))
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitCode(stderr, c.name, c.run(ctx, s, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "atlassian-mcp: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return exitUsage
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: atlassian-mcp <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'atlassian-mcp <command> --help' for a command's flags.")
}

// newFlags returns a flag set for a subcommand whose usage text names the
// command, its argument synopsis and what it does.
func newFlags(s streams, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: atlassian-mcp %s %s\n\n%s\n", name, synopsis, about)
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args. A non-nil error ends the command with its exit
// code: 0 after --help, 2 on bad flags (the flag package has said why).
// Flags may come before or after the positional arguments, with their
// values spaced or after "=".
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(flagsFirst(fs, args))
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitStatus(exitOK)
	case err != nil:
		return exitStatus(exitUsage)
	}
	return nil
}

// flagsFirst moves the flags among args ahead of the positional arguments,
// each with its value: a flag of fs that is not boolean takes the next
// argument as its value unless written --flag=value. Everything after
// "--" is positional, and "--" is kept in front of the positional
// arguments so none of them is read as a flag.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") || i+1 == len(args) {
				continue
			}
			f := fs.Lookup(name)
			if f == nil {
				continue // fs.Parse reports it
			}
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				continue
			}
			flags = append(flags, args[i+1])
			i++
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) == 0 {
		return flags
	}
	return append(append(flags, "--"), pos...)
}
