package llm

import (
	"math"
	"testing"
)

func TestGenerateOptionsValidate(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name string
		opt  GenerateOptions
		ok   bool
	}{
		{"zero value is greedy", GenerateOptions{}, true},
		{"usual sampling", GenerateOptions{SampleOptions: SampleOptions{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05,
			RepeatPenalty: 1.1, RepeatLastN: 128, Seed: -1}, MaxTokens: 64, Stop: []string{"\n\n"}}, true},
		{"negative temperature", GenerateOptions{SampleOptions: SampleOptions{Temperature: -1}}, false},
		{"NaN temperature", GenerateOptions{SampleOptions: SampleOptions{Temperature: nan}}, false},
		{"negative top-k", GenerateOptions{SampleOptions: SampleOptions{TopK: -1}}, false},
		{"top-p above 1", GenerateOptions{SampleOptions: SampleOptions{TopP: 2}}, false},
		{"min-p above 1", GenerateOptions{SampleOptions: SampleOptions{MinP: 1.5}}, false},
		{"repeat penalty above 10", GenerateOptions{SampleOptions: SampleOptions{RepeatPenalty: 11}}, false},
		{"negative repeat-last-n", GenerateOptions{SampleOptions: SampleOptions{RepeatLastN: -1}}, false},
		{"seed too large", GenerateOptions{SampleOptions: SampleOptions{Seed: math.MaxUint32}}, false},
		{"negative max tokens", GenerateOptions{MaxTokens: -1}, false},
		{"empty stop string", GenerateOptions{Stop: []string{"x", ""}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.opt.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
