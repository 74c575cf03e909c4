/** `oss-sync completion bash|zsh`: completion scripts generated from the command tree (commands, flags, enum values). */
import { type CompletionNode, completionTree } from './program.js';

const words = (list: readonly string[]) => list.map((w) => w.replace(/[^\w.,:/-]/g, '')).join(' ');

/** The shell code that walks the typed words to the command they name, the same for bash and zsh. */
function walk(nodes: CompletionNode[], first: string, last: string, array: string): string {
  const cases = nodes.flatMap((n) => n.children.map((c) => `      "${n.key}/${c.name}") key="${c.key}" ;;`));
  return [
    `  for ((i = ${first}; i < ${last}; i++)); do`,
    `    case "$key/\${${array}[i]}" in`,
    ...cases,
    '    esac',
    '  done',
  ].join('\n');
}

function enumCases(nodes: CompletionNode[], emit: (values: string) => string): string[] {
  return nodes.flatMap((n) => n.enums.map((e) => `    "${n.key}/${e.flag}") ${emit(words(e.values))}; return ;;`));
}

function wordCases(nodes: CompletionNode[]): string[] {
  return nodes.map((n) => `    "${n.key}") opts="${words(n.words)}" ;;`);
}

export function completionScript(shell: 'bash' | 'zsh'): string {
  const nodes = completionTree();
  if (shell === 'bash') {
    return `# oss-sync completion for bash: eval "$(oss-sync completion bash)"
_oss_sync() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" key="" opts="" i
${walk(nodes, '1', 'COMP_CWORD', 'COMP_WORDS')}
  case "$key/$prev" in
${enumCases(nodes, (v) => `COMPREPLY=($(compgen -W "${v}" -- "$cur"))`).join('\n')}
  esac
  case "$key" in
${wordCases(nodes).join('\n')}
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _oss_sync oss-sync
`;
  }
  return `#compdef oss-sync
# oss-sync completion for zsh: eval "$(oss-sync completion zsh)" (after compinit)
_oss_sync() {
  local key="" opts="" i prev="\${words[CURRENT-1]}"
${walk(nodes, '2', 'CURRENT', 'words')}
  case "$key/$prev" in
${enumCases(nodes, (v) => `compadd -- ${v}`).join('\n')}
  esac
  case "$key" in
${wordCases(nodes).join('\n')}
  esac
  compadd -- \${=opts}
  _files
}
compdef _oss_sync oss-sync
`;
}
