package mcp

import (
	"errors"
)

// describeError writes err for an LLM: what was wrong and what to do next.
func describeError(err error) string {
	var argErr *ArgError
	switch {
	case errors.As(err, &argErr):
		return argErr.Error()
	}
	return err.Error()
}
