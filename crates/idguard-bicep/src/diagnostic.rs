//! Syntax diagnostics: Bicep's BCP codes and Bicep's wording
//! (`Bicep.Core/Diagnostics/DiagnosticBuilder.cs`), with byte spans.
//!
//! Every diagnostic here is an error (Bicep reports all lexer and parser
//! diagnostics at level Error). Two codes are not Bicep's:
//! [`NESTING_LIMIT`] (Bicep has no depth limit; it overflows its stack) and
//! [`TOO_LARGE`].

use std::borrow::Cow;

use crate::span::Span;

/// The code of the diagnostic for input nested deeper than
/// [`crate::MAX_DEPTH`]. Not a Bicep code.
pub const NESTING_LIMIT: &str = "IDG-BICEP-NESTING";

/// The code of the diagnostic for a text too large for `u32` spans
/// (4 GiB). Not a Bicep code.
pub const TOO_LARGE: &str = "IDG-BICEP-SIZE";

/// A syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// `BCP001`…, or [`NESTING_LIMIT`].
    pub code: &'static str,
    pub span: Span,
    pub message: Cow<'static, str>,
}

impl Diagnostic {
    fn new(code: &'static str, span: Span, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            span,
            message: message.into(),
        }
    }
}

/// The codes the lexer and parser report: the parse phase of Bicep. Bicep
/// also reports some of them from later phases (noted), which a syntax-only
/// front-end never does.
pub const PARSE_PHASE_CODES: &[&str] = &[
    "BCP001", "BCP002", "BCP003", "BCP004", "BCP005", "BCP006", "BCP007", "BCP008", "BCP009",
    "BCP010", // also IntegerValidatorVisitor (emit: value beyond int64)
    "BCP011", "BCP012", "BCP013", "BCP015", // also ParameterAssignmentEvaluator
    "BCP016", "BCP017", "BCP018", "BCP019", "BCP020", "BCP021", "BCP022", "BCP023", "BCP024",
    "BCP032", // also CompileTimeConstantVisitor and others (semantic)
    "BCP064", "BCP068", "BCP087", "BCP096", "BCP097", "BCP103", "BCP117", "BCP118", "BCP123",
    "BCP133", "BCP136", "BCP140", "BCP162", "BCP167", "BCP201", // also ModuleDispatcher
    "BCP202", "BCP226", "BCP236", "BCP237", "BCP238", "BCP243", "BCP249", "BCP257", "BCP266",
    "BCP279", "BCP300", "BCP305", "BCP317", "BCP322", "BCP325",
    "BCP337", // also TypeAssignmentVisitor
    "BCP344", "BCP346", "BCP347", "BCP354", "BCP355", "BCP356",
    "BCP375", // also ImportedSymbolsListItemSyntax (semantic)
    "BCP404", // also EmitLimitationCalculator, ModuleDispatcher
    "BCP436",
];

macro_rules! fixed {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $msg:literal;)*) => {
        $(
            $(#[$doc])*
            pub(crate) fn $name(span: Span) -> Diagnostic {
                Diagnostic::new($code, span, $msg)
            }
        )*
    };
}

fixed! {
    unterminated_multiline_comment = "BCP002",
        "The multi-line comment at this location is not terminated. Terminate it with the */ character sequence.";
    unterminated_string = "BCP003",
        "The string at this location is not terminated. Terminate the string with a single quote character.";
    unterminated_string_with_newline = "BCP004",
        "The string at this location is not terminated due to an unexpected new line character.";
    unterminated_escape_at_eof = "BCP005",
        "The string at this location is not terminated. Complete the escape sequence and terminate the string with a single unescaped quote character.";
    unrecognized_escape = "BCP006",
        "The specified escape sequence is not recognized. Only the following escape sequences are allowed: \"\\$\", \"\\'\", \"\\\\\", \"\\n\", \"\\r\", \"\\t\", \"\\u{...}\".";
    unrecognized_declaration = "BCP007",
        "This declaration type is not recognized. Specify a metadata, parameter, variable, resource, or output declaration.";
    expected_parameter_continuation = "BCP008",
        "Expected the \"=\" token, or a newline at this location.";
    unrecognized_expression = "BCP009",
        "Expected a literal value, an array, an object, a parenthesized expression, or a function call at this location.";
    invalid_integer = "BCP010", "Expected a valid 64-bit signed integer.";
    expected_parameter_identifier = "BCP013", "Expected a parameter identifier at this location.";
    expected_variable_identifier = "BCP015", "Expected a variable identifier at this location.";
    expected_output_identifier = "BCP016", "Expected an output identifier at this location.";
    expected_resource_identifier = "BCP017", "Expected a resource identifier at this location.";
    expected_new_line = "BCP019", "Expected a new line character at this location.";
    expected_function_or_property_name = "BCP020",
        "Expected a function or property name at this location.";
    expected_property_name = "BCP022", "Expected a property name at this location.";
    expected_variable_or_function_name = "BCP023",
        "Expected a variable or function name at this location.";
    identifier_too_long = "BCP024",
        "The identifier exceeds the limit of 255. Reduce the length of the identifier.";
    compile_time_constant_required = "BCP032", "The value must be a compile-time constant.";
    unexpected_tokens_in_interpolation = "BCP064",
        "Found unexpected tokens in interpolated expression.";
    expected_resource_type_string = "BCP068",
        "Expected a resource type string. Specify a valid resource type of format \"<type-name>@<apiVersion>\".";
    complex_literals_not_allowed = "BCP087", "Array and object literals are not allowed here.";
    expected_module_identifier = "BCP096", "Expected a module identifier at this location.";
    expected_module_path_string = "BCP097",
        "Expected a module path string. This should be a relative path to another bicep file, e.g. 'myModule.bicep' or '../parent/myModule.bicep'";
    empty_indexer = "BCP117", "An empty indexer is not allowed. Specify a valid expression.";
    expected_body_start_or_if_or_loop = "BCP118",
        "Expected the \"{\" character, the \"[\" character, or the \"if\" keyword at this location.";
    expected_namespace_or_decorator_name = "BCP123",
        "Expected a namespace or decorator name at this location.";
    invalid_unicode_escape = "BCP133",
        "The unicode escape sequence is not valid. Valid unicode escape sequences range from \\u{0} to \\u{10FFFF}.";
    expected_loop_variable_identifier = "BCP136",
        "Expected a loop item variable identifier at this location.";
    unterminated_multiline_string = "BCP140",
        "The multi-line string at this location is not terminated. Terminate it with \"'''\".";
    expected_loop_item_or_block = "BCP162",
        "Expected a loop item variable identifier or \"(\" at this location.";
    expected_body_start_or_if = "BCP167",
        "Expected the \"{\" character or the \"if\" keyword at this location.";
    expected_extension_specification = "BCP201",
        "Expected an extension specification string. This should either be a relative path, or a valid OCI artifact specification.";
    expected_extension_alias_name = "BCP202", "Expected an extension alias name at this location.";
    missing_diagnostic_codes = "BCP226",
        "Expected at least one diagnostic code at this location. Valid format is \"#disable-next-line diagnosticCode1 diagnosticCode2 ...\"";
    expected_new_line_or_comma = "BCP236", "Expected a new line or comma character at this location.";
    expected_comma = "BCP237", "Expected a comma character at this location.";
    unexpected_new_line_after_comma = "BCP238", "Unexpected new line character after a comma.";
    parentheses_need_one_item = "BCP243", "Parentheses must contain exactly one expression.";
    expected_file_path_string = "BCP257",
        "Expected a Bicep file path string. This should be a relative path to another bicep file, e.g. 'myModule.bicep' or '../parent/myModule.bicep'";
    expected_metadata_identifier = "BCP266", "Expected a metadata identifier at this location.";
    unrecognized_type_expression = "BCP279",
        "Expected a type at this location. Please specify a valid type expression or one of the following types: \"any\", \"array\", \"bool\", \"int\", \"object\", \"string\".";
    expected_type_literal = "BCP300",
        "Expected a type literal at this location. Please specify a concrete value or a reference to a literal type.";
    expected_with_or_as_or_new_line = "BCP305",
        "Expected the \"with\" keyword, \"as\" keyword, or a new line character at this location.";
    expected_property_name_or_matcher = "BCP317",
        "Expected an identifier, a string, or an asterisk at this location.";
    safe_dereference_on_instance_function = "BCP322",
        "The `.?` (safe dereference) operator may not be used on instance function invocations.";
    expected_type_identifier = "BCP325", "Expected a type identifier at this location.";
    unrecognized_params_declaration = "BCP337",
        "This declaration type is not valid for a Bicep Parameters file. Supported declarations: \"using\", \"extends\", \"param\", \"var\", \"type\".";
    expected_assert_identifier = "BCP344", "Expected an assert identifier at this location.";
    expected_test_identifier = "BCP346", "Expected a test identifier at this location.";
    expected_test_path_string = "BCP347", "Expected a test path string at this location.";
    expected_symbol_list_or_wildcard = "BCP354",
        "Expected left brace ('{') or asterisk ('*') character at this location.";
    expected_exported_symbol_name = "BCP355",
        "Expected the name of an exported symbol at this location.";
    expected_namespace_identifier = "BCP356", "Expected a valid namespace identifier at this location.";
    import_item_needs_alias = "BCP375",
        "An import list item that identifies its target with a quoted string must include an 'as <alias>' clause.";
    extends_path_missing = "BCP404",
        "The \"extends\" declaration is missing a bicepparam file path reference";
    expected_with_or_new_line = "BCP436",
        "Expected the \"with\" keyword or a new line character at this location.";
}

/// BCP001 (BCP103 for `"`).
pub(crate) fn unrecognized_token(span: Span, text: &str) -> Diagnostic {
    if text == "\"" {
        Diagnostic::new(
            "BCP103",
            span,
            format!(
                "The following token is not recognized: \"{text}\". Strings are defined using single quotes in bicep."
            ),
        )
    } else {
        Diagnostic::new(
            "BCP001",
            span,
            format!("The following token is not recognized: \"{text}\"."),
        )
    }
}

/// BCP012.
pub(crate) fn expected_keyword(span: Span, keyword: &str) -> Diagnostic {
    Diagnostic::new(
        "BCP012",
        span,
        format!("Expected the \"{keyword}\" keyword at this location."),
    )
}

/// BCP018.
pub(crate) fn expected_character(span: Span, character: &str) -> Diagnostic {
    Diagnostic::new(
        "BCP018",
        span,
        format!("Expected the \"{character}\" character at this location."),
    )
}

/// BCP249.
pub(crate) fn loop_variable_block_needs_two(span: Span, found: usize) -> Diagnostic {
    Diagnostic::new(
        "BCP249",
        span,
        format!(
            "Expected loop variable block to consist of exactly 2 elements (item variable and index variable), but found {found}."
        ),
    )
}

/// [`NESTING_LIMIT`].
pub(crate) fn nesting_limit(span: Span) -> Diagnostic {
    Diagnostic::new(
        NESTING_LIMIT,
        span,
        format!(
            "The text is nested more than {} levels deep here; idguard stops parsing this part (Bicep sets no limit).",
            crate::MAX_DEPTH
        ),
    )
}

/// The input is larger than 4 GiB, the most a `u32` span can address.
pub(crate) fn input_too_large() -> Diagnostic {
    Diagnostic::new(
        TOO_LARGE,
        Span::empty(0),
        "The text is larger than 4 GiB; idguard does not parse it.",
    )
}
