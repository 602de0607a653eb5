// Command codeloom turns source repositories into a fine-tuned code model and
// serves it. See README.md for the workflow.
package main

import (
	"os"

	"github.com/codeloom/codeloom/cli"
)

func main() {
	os.Exit(cli.Run(os.Args))
}
