//! Built-in Azure role definitions: the data table the rules consult.
