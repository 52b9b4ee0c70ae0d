"""The letters app's HTML fragments (forms, receipts, staff screens), escaped by default."""

from __future__ import annotations

import jinja2

# autoescape on every template: everything a citizen or staff member typed is text, never markup.
_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

_ERRORS = """
{% if errors %}
<div class="letters-errors" role="alert" tabindex="-1" id="errors">
  <h2>请修改以下内容后再提交</h2>
  <ul>{% for field, message in errors %}<li><a href="#{{ field }}">{{ message }}</a></li>{% endfor %}</ul>
</div>
{% endif %}
"""

_FIELD_ERROR = """{% macro error(field) %}{% for f, m in errors if f == field %}<span class="field-error" id="{{ field }}-error">{{ m }}</span>{% endfor %}{% endmacro %}
{% macro invalid(field) %}{% for f, m in errors if f == field %} aria-invalid="true" aria-describedby="{{ field }}-error"{% endfor %}{% endmacro %}
"""

WRITE = _ENV.from_string(_FIELD_ERROR + """
<h1>我要写信</h1>
<p class="letters-lead">来信将在 {{ days }} 个工作日内答复。提交后您会得到一个查询码，凭查询码可查看办理情况和答复。
  标有 <span aria-hidden="true">*</span><span class="visually-hidden">星号</span> 的为必填项。</p>
""" + _ERRORS + """
<form class="letters-form" method="post" action="{{ action }}" novalidate>
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <p><label for="mailbox">收信单位 *</label>
    <select id="mailbox" name="mailbox" required{{ invalid('mailbox') }}>
      <option value="">请选择</option>
      {% for slug, name in mailboxes %}<option value="{{ slug }}"{% if slug == form.mailbox %} selected{% endif %}>{{ name }}</option>{% endfor %}
    </select>{{ error('mailbox') }}</p>
  <fieldset{{ invalid('kind') }}><legend>信件类型 *</legend>
    {% for k in kinds %}<label class="inline"><input type="radio" name="kind" value="{{ k }}"{% if k == form.kind %} checked{% endif %}> {{ k }}</label>{% endfor %}
    {{ error('kind') }}</fieldset>
  <p><label for="title">标题 *（不超过 {{ limits.title }} 个字）</label>
    <input id="title" name="title" type="text" maxlength="{{ limits.title }}" required value="{{ form.title }}"{{ invalid('title') }}>{{ error('title') }}</p>
  <p><label for="body">信件内容 *（不超过 {{ limits.body }} 个字）</label>
    <textarea id="body" name="body" rows="10" maxlength="{{ limits.body }}" required{{ invalid('body') }}>{{ form.body }}</textarea>{{ error('body') }}</p>
  <p><label for="name">姓名 *</label>
    <input id="name" name="name" type="text" maxlength="{{ limits.name }}" autocomplete="name" required value="{{ form.name }}"{{ invalid('name') }}>{{ error('name') }}</p>
  <p><label for="phone">手机号码</label>
    <input id="phone" name="phone" type="tel" maxlength="20" autocomplete="tel" value="{{ form.phone }}"{{ invalid('phone') }}>{{ error('phone') }}</p>
  <p><label for="email">电子邮箱（手机号码和电子邮箱至少填一项）</label>
    <input id="email" name="email" type="email" maxlength="{{ limits.email }}" autocomplete="email" value="{{ form.email }}"{{ invalid('email') }}>{{ error('email') }}</p>
  <fieldset{{ invalid('consent') }}><legend>是否同意公开 *（公开时隐去姓名、电话、证件号码和住址）</legend>
    <label class="inline"><input type="radio" name="consent" value="yes"{% if form.consent == 'yes' %} checked{% endif %}> 同意公开</label>
    <label class="inline"><input type="radio" name="consent" value="no"{% if form.consent == 'no' %} checked{% endif %}> 不同意公开</label>
    {{ error('consent') }}</fieldset>
  <p><button type="submit">提交信件</button></p>
</form>
<p><a href="{{ lookup }}">已经写过信？凭查询码查看答复</a></p>
""")

RECEIVED = _ENV.from_string("""
<h1>来信已收到</h1>
<div class="letters-receipt" role="status">
  <p>您的信件已保存，编号 <strong>{{ letter.number }}</strong>，收信单位：{{ mailbox }}。</p>
  <p>查询码：<strong class="letters-code">{{ code }}</strong></p>
  <p>请记下查询码：它只显示这一次，凭它可在“<a href="{{ lookup }}">查询答复</a>”中查看办理情况和答复。</p>
</div>
""")

LOOKUP = _ENV.from_string(_FIELD_ERROR + """
<h1>查询答复</h1>
""" + _ERRORS + """
<form class="letters-form" method="post" action="{{ action }}" novalidate>
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <p><label for="code">查询码 *</label>
    <input id="code" name="code" type="text" maxlength="40" autocomplete="off" required value="{{ code }}"{{ invalid('code') }}>{{ error('code') }}</p>
  <p><button type="submit">查询</button></p>
</form>
<p><a href="{{ write }}">我要写信</a></p>
""")

# What the citizen and the staff both see of a letter, first in its facts list.
_LETTER_FACTS = """  <dt>编号</dt><dd>{{ letter.number }}</dd>
  <dt>收信单位</dt><dd>{{ mailbox }}</dd>
  <dt>类型</dt><dd>{{ letter.kind }}</dd>
  <dt>来信时间</dt><dd>{{ letter.received.strftime('%Y-%m-%d %H:%M') }}</dd>
"""

LETTER = _ENV.from_string("""
<h1>{{ letter.title }}</h1>
<dl class="letters-meta">
""" + _LETTER_FACTS + """  <dt>办理状态</dt><dd>{{ letter.status }}</dd>
</dl>
<h2>来信内容</h2>
<div class="letters-text">{% for line in letter.body.splitlines() %}<p>{{ line }}</p>{% endfor %}</div>
<h2>答复</h2>
{% if letter.reply %}
<p class="letters-by">{{ replied_by }} 于 {{ letter.replied.strftime('%Y-%m-%d') }} 答复：</p>
<div class="letters-text">{% for line in letter.reply.splitlines() %}<p>{{ line }}</p>{% endfor %}</div>
{% else %}
<p>正在办理，尚未答复。</p>
{% endif %}
""")

SIGN_IN = _ENV.from_string("""
<h1>工作人员登录</h1>
""" + _ERRORS + """
<form class="letters-form" method="post" action="{{ action }}" novalidate>
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <p><label for="user">用户名</label><input id="user" name="user" type="text" maxlength="40" autocomplete="username" required value="{{ user }}"></p>
  <p><label for="password">密码</label><input id="password" name="password" type="password" maxlength="200" autocomplete="current-password" required></p>
  <p><button type="submit">登录</button></p>
</form>
""")

_STAFF_BAR = """
<form class="letters-signout" method="post" action="{{ signout }}">
  <input type="hidden" name="csrf" value="{{ csrf }}">
  <p>{{ user.name }}（{{ scope }}） <button type="submit">退出登录</button></p>
</form>
"""

INBOX = _ENV.from_string(_STAFF_BAR + """
<h1>来信办理</h1>
{% if notice %}<p role="status" class="letters-notice">{{ notice }}</p>{% endif %}
{% if rows %}
<table class="letters-table">
  <caption>{{ scope }}的来信（待办在前）</caption>
  <thead><tr><th scope="col">编号</th><th scope="col">标题</th>{% if user.admin %}<th scope="col">收信单位</th>{% endif %}<th scope="col">类型</th><th scope="col">来信日期</th><th scope="col">状态</th><th scope="col">剩余工作日</th><th scope="col">公开</th></tr></thead>
  <tbody>
  {% for r in rows %}
  <tr><td>{{ r.letter.number }}</td><td><a href="{{ r.url }}">{{ r.letter.title }}</a></td>{% if user.admin %}<td>{{ r.mailbox }}</td>{% endif %}<td>{{ r.letter.kind }}</td><td>{{ r.letter.received.strftime('%Y-%m-%d') }}</td><td>{{ r.letter.status }}</td>
    <td>{% if r.left is none %}—{% elif r.left < 0 %}<strong>已超期 {{ -r.left }} 个工作日</strong>{% else %}{{ r.left }}{% endif %}</td><td>{{ '是' if r.letter.publish else '否' }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% else %}
<p>没有来信。</p>
{% endif %}
""")

STAFF_LETTER = _ENV.from_string(_STAFF_BAR + """
<p><a href="{{ inbox }}">返回来信列表</a></p>
{% if notice %}<p role="status" class="letters-notice">{{ notice }}</p>{% endif %}
""" + _ERRORS + """
<h1>{{ letter.title }}</h1>
<dl class="letters-meta">
""" + _LETTER_FACTS + """  <dt>来信人</dt><dd>{{ letter.name }}</dd>
  <dt>联系方式</dt><dd>{{ letter.phone }} {{ letter.email }}</dd>
  <dt>同意公开</dt><dd>{{ '是' if letter.consent else '否' }}</dd>
  <dt>办理状态</dt><dd>{{ letter.status }}{% if left is not none %}（剩余 {{ left }} 个工作日）{% endif %}</dd>
</dl>
<h2>来信内容</h2>
<div class="letters-text">{% for line in letter.body.splitlines() %}<p>{{ line }}</p>{% endfor %}</div>
<h2>答复</h2>
<form class="letters-form" method="post" action="{{ action }}">
  <input type="hidden" name="csrf" value="{{ csrf }}"><input type="hidden" name="do" value="reply">
  <p><label for="reply">答复内容（纯文本，不超过 {{ limit }} 个字）</label>
    <textarea id="reply" name="reply" rows="10" maxlength="{{ limit }}">{{ reply }}</textarea></p>
  <p><button type="submit">保存答复</button></p>
</form>
<h2>转办</h2>
<form class="letters-form" method="post" action="{{ action }}">
  <input type="hidden" name="csrf" value="{{ csrf }}"><input type="hidden" name="do" value="transfer">
  <p><label for="to">转给</label><select id="to" name="to">
    {% for slug, name in mailboxes if slug != letter.mailbox %}<option value="{{ slug }}">{{ name }}</option>{% endfor %}
  </select> <button type="submit">转办</button></p>
</form>
<h2>办结与公开</h2>
{% if letter.status != '办结' %}
<form class="letters-form" method="post" action="{{ action }}">
  <input type="hidden" name="csrf" value="{{ csrf }}"><input type="hidden" name="do" value="close">
  <p><button type="submit">标记办结</button></p>
</form>
{% endif %}
{% if letter.consent %}
<form class="letters-form" method="post" action="{{ action }}">
  <input type="hidden" name="csrf" value="{{ csrf }}"><input type="hidden" name="do" value="{{ 'unpublish' if letter.publish else 'publish' }}">
  <p>{{ '已选择公开。' if letter.publish else '未公开。' }} <button type="submit">{{ '取消公开' if letter.publish else '公开（答复后随下次构建发布）' }}</button></p>
</form>
{% else %}
<p>来信人不同意公开，不能公开。</p>
{% endif %}
""")

MESSAGE = _ENV.from_string("""
<h1>{{ title }}</h1>
<p>{{ text }}</p>
{% if link %}<p><a href="{{ link }}">{{ link_text }}</a></p>{% endif %}
""")
