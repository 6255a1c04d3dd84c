//! The failure list as a CSV file Excel pt-BR opens with a double click.

use std::path::Path;

use super::run::BatchFailure;
use crate::export::csv::csv_writer;
use crate::export::{CsvSeparator, ExportError, neutralize_formula, write_atomically};

/// Writes the failures to `path` atomically, as UTF-8 with BOM, `;` and CRLF (like the Excel
/// CSV export): a header `Documento;Erro`, then one row per failure with the formatted
/// document and the Portuguese message.
pub fn write_failures_csv(path: &Path, failures: &[BatchFailure]) -> Result<(), ExportError> {
    write_atomically(path, |out| {
        let mut writer = csv_writer(out, CsvSeparator::Semicolon, path)?;
        let csv_error = |e| ExportError::from_csv(path, e);
        writer
            .write_record(["Documento", "Erro"])
            .map_err(csv_error)?;
        for failure in failures {
            let message = neutralize_formula(&failure.message);
            writer
                .write_record([failure.doc.formatted().as_str(), &*message])
                .map_err(csv_error)?;
        }
        writer.flush().map_err(|e| ExportError::from_io(path, e))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorKind;
    use crate::batch::FailureKind;
    use crate::doc_id::CpfCnpj;

    #[test]
    fn the_failure_list_opens_in_excel() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saida.falhas.csv");
        let failures = [BatchFailure {
            doc: CpfCnpj::parse("52998224725").unwrap(),
            kind: FailureKind::Error(ErrorKind::Server),
            message: "Erro no servidor da API (HTTP 500); tente; depois".to_owned(),
            detail: String::new(),
        }];
        write_failures_csv(&path, &failures).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            bytes,
            "\u{feff}Documento;Erro\r\n529.982.247-25;\"Erro no servidor da API (HTTP 500); tente; depois\"\r\n"
                .as_bytes()
        );
    }
}
