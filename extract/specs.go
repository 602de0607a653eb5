package extract

import (
	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/c"
	"github.com/smacker/go-tree-sitter/cpp"
	"github.com/smacker/go-tree-sitter/csharp"
	"github.com/smacker/go-tree-sitter/golang"
	"github.com/smacker/go-tree-sitter/java"
	"github.com/smacker/go-tree-sitter/javascript"
	"github.com/smacker/go-tree-sitter/kotlin"
	"github.com/smacker/go-tree-sitter/php"
	"github.com/smacker/go-tree-sitter/python"
	"github.com/smacker/go-tree-sitter/ruby"
	"github.com/smacker/go-tree-sitter/rust"
	"github.com/smacker/go-tree-sitter/scala"
	"github.com/smacker/go-tree-sitter/swift"
	"github.com/smacker/go-tree-sitter/typescript/tsx"
	"github.com/smacker/go-tree-sitter/typescript/typescript"
)

// Shared node type lists of the C-family grammars.
var (
	cComments  = []string{"comment"}
	jsFuncs    = []string{"function_declaration", "generator_function_declaration", "method_definition", "function_expression", "generator_function", "arrow_function"}
	jsDecision = []string{"if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement", "switch_case", "catch_clause", "ternary_expression"}
	jsWrappers = []string{"export_statement", "lexical_declaration", "variable_declaration", "variable_declarator"}
)

func jsSpec(name string, ext []string, grammar func() *sitter.Language, containers []string) *spec {
	return &spec{
		name: name, extensions: ext, grammar: grammar,
		functions: jsFuncs, containers: containers, wrappers: jsWrappers, attributes: []string{"decorator"},
		decisions: jsDecision, boolOps: []string{"binary_expression"}, comments: cComments, doc: docJavadoc,
		funcName: jsName, isConstructor: nameIs("constructor"),
	}
}

var specs = []*spec{
	{
		name: "python", extensions: []string{".py", ".pyi"}, grammar: python.GetLanguage,
		functions: []string{"function_definition"}, containers: []string{"class_definition"},
		wrappers:  []string{"decorated_definition"},
		decisions: []string{"if_statement", "elif_clause", "for_statement", "while_statement", "except_clause", "conditional_expression", "boolean_operator", "for_in_clause", "if_clause", "case_clause"},
		comments:  []string{"comment"}, doc: docPython, isConstructor: nameIs("__init__"),
	},
	jsSpec("javascript", []string{".js", ".jsx", ".mjs", ".cjs"}, javascript.GetLanguage, []string{"class_declaration", "class"}),
	jsSpec("typescript", []string{".ts", ".mts", ".cts"}, typescript.GetLanguage, []string{"class_declaration", "class", "abstract_class_declaration"}),
	jsSpec("tsx", []string{".tsx"}, tsx.GetLanguage, []string{"class_declaration", "class", "abstract_class_declaration"}),
	{
		name: "go", extensions: []string{".go"}, grammar: golang.GetLanguage,
		functions: []string{"function_declaration", "method_declaration"},
		decisions: []string{"if_statement", "for_statement", "expression_case", "type_case", "communication_case"},
		boolOps:   []string{"binary_expression"}, comments: cComments, doc: docLineRun, funcName: goName,
	},
	{
		name: "rust", extensions: []string{".rs"}, grammar: rust.GetLanguage,
		functions: []string{"function_item"}, containers: []string{"impl_item", "trait_item"},
		attributes: []string{"attribute_item"},
		decisions:  []string{"if_expression", "while_expression", "loop_expression", "for_expression", "match_arm"},
		boolOps:    []string{"binary_expression"}, comments: []string{"line_comment", "block_comment"}, doc: docTripleRun,
		containerName: rustContainerName,
	},
	{
		name: "java", extensions: []string{".java"}, grammar: java.GetLanguage,
		functions: []string{"method_declaration"}, constructors: []string{"constructor_declaration", "compact_constructor_declaration"},
		// class_body also covers anonymous classes (new T() { ... }), whose
		// functions are methods too.
		containers: []string{"class_declaration", "interface_declaration", "enum_declaration", "record_declaration", "class_body"},
		decisions:  []string{"if_statement", "for_statement", "enhanced_for_statement", "while_statement", "do_statement", "switch_label", "catch_clause", "ternary_expression"},
		boolOps:    []string{"binary_expression"}, comments: []string{"block_comment", "line_comment"}, doc: docJavadoc,
	},
	{
		name: "c", extensions: []string{".c", ".h"}, grammar: c.GetLanguage,
		functions: []string{"function_definition"},
		decisions: []string{"if_statement", "for_statement", "while_statement", "do_statement", "case_statement", "conditional_expression"},
		boolOps:   []string{"binary_expression"}, comments: cComments, doc: docAnyComment, funcName: cName,
	},
	{
		name: "cpp", extensions: []string{".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++"}, grammar: cpp.GetLanguage,
		functions: []string{"function_definition"}, containers: []string{"class_specifier", "struct_specifier", "union_specifier"},
		wrappers:  []string{"template_declaration"},
		decisions: []string{"if_statement", "for_statement", "for_range_loop", "while_statement", "do_statement", "case_statement", "conditional_expression", "catch_clause"},
		boolOps:   []string{"binary_expression"}, comments: cComments, doc: docAnyComment, funcName: cName,
		isConstructor: func(name, container string) bool { return name == container },
	},
	{
		name: "csharp", extensions: []string{".cs"}, grammar: csharp.GetLanguage,
		functions:    []string{"method_declaration", "local_function_statement", "destructor_declaration"},
		constructors: []string{"constructor_declaration"},
		containers:   []string{"class_declaration", "struct_declaration", "interface_declaration", "record_declaration"},
		decisions:    []string{"if_statement", "for_statement", "foreach_statement", "while_statement", "do_statement", "switch_section", "catch_clause", "conditional_expression"},
		boolOps:      []string{"binary_expression"}, comments: cComments, doc: docTripleRun,
	},
	{
		name: "ruby", extensions: []string{".rb"}, grammar: ruby.GetLanguage,
		optionalBody: []string{"method", "singleton_method"}, containers: []string{"class", "module"},
		decisions: []string{"if", "elsif", "unless", "while", "until", "for", "when", "rescue", "conditional", "if_modifier", "unless_modifier", "while_modifier", "until_modifier"},
		boolOps:   []string{"binary"}, comments: cComments, doc: docHashRun,
		funcName: rubyName, containerName: scopedName, isConstructor: nameIs("initialize"),
	},
	{
		name: "php", extensions: []string{".php"}, grammar: php.GetLanguage,
		functions:  []string{"function_definition", "method_declaration"},
		containers: []string{"class_declaration", "interface_declaration", "trait_declaration", "enum_declaration"},
		decisions:  []string{"if_statement", "else_if_clause", "for_statement", "foreach_statement", "while_statement", "do_statement", "case_statement", "catch_clause", "conditional_expression"},
		boolOps:    []string{"binary_expression"}, comments: cComments, doc: docJavadoc, isConstructor: nameIs("__construct"),
	},
	{
		name: "kotlin", extensions: []string{".kt", ".kts"}, grammar: kotlin.GetLanguage,
		functions: []string{"function_declaration"}, optionalBody: []string{"secondary_constructor"},
		constructors: []string{"secondary_constructor"},
		containers:   []string{"class_declaration", "object_declaration", "companion_object", "object_literal"},
		decisions:    []string{"if_expression", "for_statement", "while_statement", "do_while_statement", "when_entry", "catch_block", "conjunction_expression", "disjunction_expression"},
		comments:     []string{"line_comment", "multiline_comment"}, doc: docJavadoc,
		funcName: kotlinName, containerName: kotlinContainerName, body: kotlinBody,
	},
	{
		name: "swift", extensions: []string{".swift"}, grammar: swift.GetLanguage,
		functions: []string{"function_declaration", "deinit_declaration"}, constructors: []string{"init_declaration"},
		containers: []string{"class_declaration", "protocol_declaration"},
		decisions:  []string{"if_statement", "guard_statement", "for_statement", "while_statement", "repeat_while_statement", "switch_entry", "catch_block", "ternary_expression", "conjunction_expression", "disjunction_expression"},
		comments:   []string{"comment", "multiline_comment"}, doc: docTripleRun, funcName: swiftName,
	},
	{
		name: "scala", extensions: []string{".scala", ".sc"}, grammar: scala.GetLanguage,
		functions:  []string{"function_definition"},
		containers: []string{"class_definition", "object_definition", "trait_definition"},
		decisions:  []string{"if_expression", "for_expression", "while_expression", "case_clause", "catch_clause"},
		boolOps:    []string{"infix_expression"}, comments: []string{"comment", "block_comment"}, doc: docJavadoc,
		isConstructor: nameIs("this"),
	},
}
