//! Realistic rows for the export benchmarks, built by hand (no simulator dependency).

use chrono::{NaiveDate, NaiveTime};
use recuperador_followups::api::{
    Followup, FollowupFields, ReagendarPara, SharedStr, SimNao, TipoContato, TipoEvento,
};

/// `n` follow-ups of a few hundred debtors, with shared names and per-row interaction text
/// of realistic length (60–300 characters, accents, some `;`, quotes and line breaks).
pub fn rows(n: usize) -> Vec<Followup> {
    let creditors: Vec<SharedStr> = [
        "Banco Ipê S.A.",
        "Financeira Araucária",
        "Cooperativa Sertão",
    ]
    .into_iter()
    .map(SharedStr::from)
    .collect();
    let consultants: Vec<SharedStr> = [
        "Márcia Gonçalves",
        "José Antônio",
        "Luíza Brandão",
        "Caio Müller",
    ]
    .into_iter()
    .map(SharedStr::from)
    .collect();
    let events: Vec<SharedStr> = [
        "Promessa de pagamento",
        "Sem contato",
        "Recado",
        "Acordo fechado",
    ]
    .into_iter()
    .map(SharedStr::from)
    .collect();
    let debtors: Vec<(SharedStr, SharedStr)> = (0..500u32)
        .map(|i| {
            let base = format!("{:09}", 10_000_000 + i * 7_919);
            let doc = recuperador_followups::doc_id::with_check_digits(&base).unwrap_or(base);
            (
                SharedStr::from(format!("Cliente Número {i} da Conceição")),
                SharedStr::from(doc),
            )
        })
        .collect();
    let texts = [
        "Cliente atendeu e informou que vai pagar na sexta-feira.",
        "Enviado boleto por WhatsApp; cliente disse \"recebi\" e pediu desconto de juros.",
        "Tentativa sem sucesso.\r\nCaixa postal. Ligar novamente amanhã às 9h.",
        "Negociação em andamento: proposta de 6 parcelas de R$ 150,00 com entrada em 10/12; aguardando aprovação do gerente da carteira e retorno do cliente por e-mail.",
        "Cliente solicitou segunda via e informou mudança de endereço para Rua das Acácias, 123 — São José dos Campos/SP. Confirmar CEP na próxima ligação e atualizar cadastro no sistema; também pediu para não ligar após as 18h.",
    ];
    let day0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    (0..n)
        .map(|i| {
            let (debtor, doc) = &debtors[i % debtors.len()];
            let day = day0 + chrono::Days::new((i % 900) as u64);
            let rescheduled = i % 3 == 0;
            Followup::from(FollowupFields {
                id_followup: Some(10_000_000 + i as i64),
                id_credor: Some(12 + (i % 3) as i64),
                id_cliente: Some(500_000 + (i % debtors.len()) as i64),
                id_consultor: Some(40 + (i % 4) as i64),
                id_evento: Some((i % 4) as i64 + 1),
                nome_credor: Some(creditors[i % 3].clone()),
                nome_cliente: Some(debtor.clone()),
                cpf_cnpj: Some(doc.clone()),
                nome_consultor: Some(consultants[i % 4].clone()),
                nome_evento: Some(events[i % 4].clone()),
                tipo_evento: Some(if i % 2 == 0 {
                    TipoEvento::Produtivo
                } else {
                    TipoEvento::Improdutivo
                }),
                data: day.and_hms_opt((8 + i % 10) as u32, (i % 60) as u32, 0),
                interacao: Some(texts[i % texts.len()].into()),
                tipo_contato: Some(TipoContato::KNOWN[i % TipoContato::KNOWN.len()].clone()),
                reagendar: Some(if rescheduled {
                    SimNao::Sim
                } else {
                    SimNao::Nao
                }),
                data_reagendamento: rescheduled
                    .then(|| (day + chrono::Days::new(7)).and_hms_opt(0, 0, 0))
                    .flatten(),
                horario_reagendamento: rescheduled
                    .then(|| NaiveTime::from_hms_opt(9 + (i % 8) as u32, 30, 0))
                    .flatten(),
                reagendar_para: rescheduled.then_some(ReagendarPara::Consultor),
                visivel_cliente: Some(SimNao::Nao),
                reagendado_por: rescheduled.then(|| consultants[i % 4].clone()),
            })
        })
        .collect()
}
