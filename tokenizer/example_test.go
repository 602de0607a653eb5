package tokenizer_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"strings"

	"github.com/codeloom/codeloom/tokenizer"
)

func ExampleTrain() {
	code := strings.Repeat("func add(a, b int) int {\n\treturn a + b\n}\n", 50)
	tok, err := tokenizer.Train(context.Background(), slices.Values([]string{code}), 300, tokenizer.Options{})
	if err != nil {
		log.Fatal(err)
	}
	ids := tok.Encode("func add(a, b int) int")
	var pieces []string
	for _, id := range ids {
		pieces = append(pieces, tok.Decode([]int32{id}))
	}
	// Training stopped below 300 tokens: every piece became a single token.
	fmt.Printf("%d tokens, %q\n", tok.Len(), pieces)
	fmt.Println(tok.Decode(ids))
	// Output:
	// 278 tokens, ["func" " add" "(" "a" "," " b" " int" ")" " int"]
	// func add(a, b int) int
}
