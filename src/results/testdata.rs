//! Deterministic synthetic follow-ups for tests and benchmarks (until the simulator's dataset
//! is available): one debtor's long negotiation history with ~5 creditors, ~50 consultants,
//! ~30 events, every code, dates over three years and Portuguese interaction texts of 50 to 500
//! characters with accents.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};

use crate::api::{Followup, ReagendarPara, SharedStr, SimNao, TipoContato, TipoEvento};

const FIRST_NAMES: [&str; 20] = [
    "Álvaro",
    "Ana",
    "Beatriz",
    "Cláudio",
    "Débora",
    "Élio",
    "Fábio",
    "Gabriela",
    "Heloísa",
    "Ícaro",
    "João",
    "Júlia",
    "Lúcia",
    "Márcio",
    "Natália",
    "Otávio",
    "Patrícia",
    "Rogério",
    "Sônia",
    "Zé",
];

const LAST_NAMES: [&str; 12] = [
    "Araújo",
    "Conceição",
    "Gonçalves",
    "Simões",
    "Magalhães",
    "Brandão",
    "Falcão",
    "Guimarães",
    "Assunção",
    "Loureiro",
    "Peçanha",
    "Sá",
];

const CREDITORS: [&str; 5] = [
    "Banco Paulista S.A.",
    "Financeira Crédito Fácil",
    "Cooperativa de Crédito União",
    "Loja Magazine Econômico",
    "Telefônica do Nordeste",
];

const EVENTS: [&str; 30] = [
    "Promessa de pagamento",
    "Acordo fechado",
    "Boleto enviado",
    "Recado com terceiro",
    "Não atende",
    "Número inexistente",
    "Cliente desconhece dívida",
    "Solicitou desconto",
    "Pagamento confirmado",
    "Retornar ligação",
    "Caixa postal",
    "Negociação em andamento",
    "Contestação",
    "Falecido",
    "Endereço não localizado",
    "E-mail devolvido",
    "Quebra de acordo",
    "Proposta recusada",
    "Aguardando aprovação",
    "Renegociação",
    "Cliente em viagem",
    "Ligação caiu",
    "Envio de segunda via",
    "Atualização cadastral",
    "Notificação extrajudicial",
    "Protesto",
    "Ação judicial",
    "Desemprego",
    "Doença na família",
    "Outros",
];

const OPENINGS: [&str; 12] = [
    "Cliente informou que ",
    "Liguei para o cliente e ",
    "Falei com a esposa, que disse que ",
    "Em contato via WhatsApp, o devedor ",
    "Retorno do cliente: ",
    "Tentativa de contato sem sucesso; ",
    "Atendimento presencial na agência: ",
    "Cliente ligou e ",
    "Conforme combinado, ",
    "Após análise da proposta, ",
    "Negociação: ",
    "Recado deixado com o filho; ",
];

const FRAGMENTS: [&str; 24] = [
    "vai pagar o boleto até sexta-feira",
    "pediu desconto para quitação à vista",
    "está desempregado há três meses",
    "solicitou a segunda via do boleto por e-mail",
    "não reconhece a dívida e pediu o contrato",
    "prometeu retornar a ligação amanhã às 14h",
    "informou que já pagou e enviará o comprovante",
    "aceitou parcelar em 12 vezes sem entrada",
    "disse que a situação financeira está difícil",
    "reclamou dos juros e da multa",
    "pediu para não ligar no horário de almoço",
    "confirmou o endereço e o telefone",
    "vai conversar com o cônjuge antes de decidir",
    "recebeu a notificação e quer negociar",
    "questionou o valor atualizado da dívida",
    "mudou de emprego e terá renda no próximo mês",
    "solicitou a exclusão do nome no SPC/Serasa",
    "está internado, falar com o irmão",
    "fez uma contraproposta de R$ 1.500,00",
    "não quis informar a previsão de pagamento",
    "ficou de passar na loja para negociar",
    "o número informado pertence a outra pessoa",
    "agradeceu a atenção e aguarda o boleto",
    "ação de cobrança será avaliada pelo jurídico",
];

/// A deterministic history of `n` follow-ups of one debtor (see the module docs). The same `n`
/// always gives the same rows; names are shared (`Arc<str>`) between rows as the parser does.
pub fn history_rows(n: usize) -> Vec<Followup> {
    let mut rng = fastrand::Rng::with_seed(0x5eed_2026);
    let shared = |s: String| -> SharedStr { Arc::from(s) };
    let creditors: Vec<(i64, SharedStr)> = CREDITORS
        .iter()
        .enumerate()
        .map(|(i, name)| (100 + i as i64, shared((*name).to_owned())))
        .collect();
    let consultants: Vec<(i64, SharedStr, SharedStr)> = (0..50)
        .map(|i| {
            let first = FIRST_NAMES[i % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i * 7 + i / 20) % LAST_NAMES.len()];
            let name = format!("{first} {last}");
            let login = format!("{}.{}", super::fold(first), super::fold(last));
            (1000 + i as i64, shared(name), shared(login))
        })
        .collect();
    let events: Vec<(i64, SharedStr, TipoEvento)> = EVENTS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let tipo = if i % 3 == 2 {
                TipoEvento::Improdutivo
            } else {
                TipoEvento::Produtivo
            };
            (i as i64 + 1, shared((*name).to_owned()), tipo)
        })
        .collect();
    let debtor_name = shared("Maria da Conceição Gonçalves".to_owned());
    let debtor_doc = shared("529.982.247-25".to_owned());
    let start = NaiveDate::from_ymd_opt(2023, 1, 2)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    let odd_contact = TipoContato::from_code("X");
    let mut text = String::with_capacity(600);
    (0..n)
        .map(|i| {
            let creditor = &creditors[rng.usize(..creditors.len())];
            let consultant = &consultants[rng.usize(..consultants.len())];
            let event = &events[rng.usize(..events.len())];
            let data = start
                + chrono::Duration::days(rng.i64(0..3 * 365))
                + chrono::Duration::seconds(if rng.u8(..4) == 0 {
                    0
                } else {
                    rng.i64(8 * 3600..20 * 3600)
                });
            text.clear();
            let target = rng.usize(50..=500);
            text.push_str(OPENINGS[rng.usize(..OPENINGS.len())]);
            loop {
                text.push_str(FRAGMENTS[rng.usize(..FRAGMENTS.len())]);
                if text.len() >= target {
                    text.push('.');
                    break;
                }
                text.push_str(if rng.bool() { ", " } else { "; também " });
            }
            let reagendar = rng.u8(..3) == 0;
            let contact = match rng.u8(..50) {
                0 => odd_contact.clone(),
                k => TipoContato::KNOWN[usize::from(k) % TipoContato::KNOWN.len()].clone(),
            };
            Followup {
                id_followup: Some(5_000_000 + i as i64),
                id_credor: Some(creditor.0),
                id_cliente: Some(777_001),
                id_consultor: (rng.u8(..20) != 0).then_some(consultant.0),
                id_evento: Some(event.0),
                nome_credor: Some(creditor.1.clone()),
                nome_cliente: Some(debtor_name.clone()),
                cpf_cnpj: Some(debtor_doc.clone()),
                nome_consultor: (rng.u8(..20) != 0).then(|| consultant.1.clone()),
                nome_evento: Some(event.1.clone()),
                tipo_evento: Some(event.2.clone()),
                data: Some(data),
                interacao: (rng.u8(..50) != 0).then(|| Box::from(text.as_str())),
                tipo_contato: Some(contact),
                reagendar: Some(if reagendar { SimNao::Sim } else { SimNao::Nao }),
                data_reagendamento: reagendar
                    .then(|| data + chrono::Duration::days(rng.i64(1..30))),
                horario_reagendamento: reagendar
                    .then(|| NaiveTime::from_hms_opt(rng.u32(8..20), 15 * rng.u32(..4), 0))
                    .flatten(),
                reagendar_para: reagendar
                    .then(|| ReagendarPara::KNOWN[rng.usize(..ReagendarPara::KNOWN.len())].clone()),
                visivel_cliente: Some(if rng.u8(..4) == 0 {
                    SimNao::Sim
                } else {
                    SimNao::Nao
                }),
                reagendado_por: reagendar.then(|| consultant.2.clone()),
            }
        })
        .collect()
}
