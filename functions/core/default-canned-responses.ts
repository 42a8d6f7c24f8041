/**
 * The canned responses a fresh desk starts with. Seeded only when absent (local mode at start,
 * a deployed desk at every deploy), so an admin's edits and deletions of their text are never
 * overwritten by a later start or deploy.
 */
export interface DefaultCannedResponse {
  readonly id: string;
  readonly title: { readonly en: string; readonly 'pt-BR': string };
  readonly body: { readonly en: string; readonly 'pt-BR': string };
}

/** Ready-made replies for the composer, in both languages the desk speaks. */
export const defaultCannedResponses: readonly DefaultCannedResponse[] = [
  {
    id: 'greeting-details',
    title: { en: 'Greeting: ask for details', 'pt-BR': 'Saudação: pedir detalhes' },
    body: {
      en: 'Hello,\n\nThank you for contacting us. So that we can help you quickly, could you tell us:\n\n- what you were trying to do when the problem happened;\n- the exact error message, or a screenshot;\n- since when it happens, and whether it happens every time.\n\nAs soon as we have these details we will continue with your request.\n\nKind regards,',
      'pt-BR': 'Olá,\n\nObrigado por entrar em contato. Para podermos ajudar mais rápido, você poderia nos informar:\n\n- o que estava tentando fazer quando o problema aconteceu;\n- a mensagem de erro exata, ou uma captura de tela;\n- desde quando acontece e se acontece todas as vezes.\n\nAssim que recebermos essas informações, daremos continuidade ao seu chamado.\n\nAtenciosamente,',
    },
  },
  {
    id: 'password-reset',
    title: { en: 'Password reset steps', 'pt-BR': 'Como redefinir a senha' },
    body: {
      en: 'Hello,\n\nYou can reset your password yourself:\n\n1. Open the sign-in page and choose "Forgot password".\n2. Enter your work email address.\n3. Open the link we email you within 15 minutes (check the spam folder too).\n4. Choose a new password of at least 12 characters, different from the last ones you used.\n\nIf the link does not arrive or your account is locked, reply to this message and we will unlock it for you.\n\nKind regards,',
      'pt-BR': 'Olá,\n\nVocê mesmo pode redefinir sua senha:\n\n1. Abra a página de acesso e clique em "Esqueci minha senha".\n2. Informe seu e-mail corporativo.\n3. Abra o link que enviaremos por e-mail em até 15 minutos (confira também a caixa de spam).\n4. Escolha uma nova senha com pelo menos 12 caracteres, diferente das últimas que você usou.\n\nSe o link não chegar ou sua conta estiver bloqueada, responda esta mensagem e nós a desbloquearemos.\n\nAtenciosamente,',
    },
  },
  {
    id: 'escalated',
    title: { en: 'We escalated this', 'pt-BR': 'Chamado escalado' },
    body: {
      en: 'Hello,\n\nThank you for your patience. We have passed your request on to our specialist team, who are now looking into it. You do not need to do anything for now: we will write to you as soon as we have news or need more information.\n\nKind regards,',
      'pt-BR': 'Olá,\n\nObrigado pela paciência. Encaminhamos seu chamado para a nossa equipe especializada, que já está analisando o caso. Por enquanto você não precisa fazer nada: escreveremos assim que tivermos novidades ou precisarmos de mais informações.\n\nAtenciosamente,',
    },
  },
  {
    id: 'closing',
    title: { en: 'Closing: problem solved', 'pt-BR': 'Encerramento: problema resolvido' },
    body: {
      en: 'Hello,\n\nWe are glad the problem is solved, so we are resolving this ticket. If anything else comes up, just reply to this message and we will pick it up again.\n\nIn a day you will receive a short survey about this service: your answer helps us improve.\n\nKind regards,',
      'pt-BR': 'Olá,\n\nFicamos felizes que o problema foi resolvido, por isso estamos encerrando este chamado. Se precisar de algo mais, basta responder esta mensagem que retomaremos o atendimento.\n\nEm um dia você receberá uma breve pesquisa sobre este atendimento: sua resposta nos ajuda a melhorar.\n\nAtenciosamente,',
    },
  },
];
