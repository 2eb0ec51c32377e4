"""Start a real Request Tracker 5 on loopback with its own fresh SQLite database.

Uses RT's ``RT_SITE_CONFIG``/``RT_SITE_CONFIG_DIR`` overrides so nothing under /etc is touched
(REMOTE-APIS.md B12). Creates an auth token for root and the ticket custom fields Desk uses
(``Desk UUID``, ``Desk Category`` and the desk's own fields, ``desk_fields.DESK_FIELDS``). Used by the session fixture and by the sync benchmark.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx

from desk.core.sync.desk_fields import DESK_FIELDS, RT_CATEGORY_FIELD, RT_UUID_FIELD

# Every custom field Desk documents (`desk remote check` lists them), as an RT admin would create them.
RT_FIELD_NAMES = (RT_UUID_FIELD, RT_CATEGORY_FIELD, *(f.rt_name for f in DESK_FIELDS))

SETUP = "/usr/sbin/rt-setup-database-5"
SERVER = "/usr/share/request-tracker5/libexec/rt-server"
RT_LIB = "/usr/share/request-tracker5/lib"
STARLET = "/usr/share/perl5/Plack/Handler/Starlet.pm"

SITE_CONFIG = """Set($rtname, 'desk-test');
Set($Organization, 'desk.test');
Set($Timezone, 'UTC');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{db}');
Set($DatabaseHost, 'localhost'); Set($DatabaseUser, ''); Set($DatabasePassword, '');
Set($WebDomain, '127.0.0.1'); Set($WebPort, {port}); Set($WebPath, '');
Set($WebBaseURL, 'http://127.0.0.1:{port}');
Set($LogToSTDERR, 'error'); Set($LogToSyslog, undef); Set($LogToFile, undef);
Set($CorrespondAddress, 'rt@desk.test'); Set($CommentAddress, 'rt-comment@desk.test');
Set($MailCommand, 'testfile');
# Test-only: every token- or password-authenticated request bcrypt-hashes the secret
# (cost 12 is ~200 ms here); cost 4 keeps the suite fast. Production RT keeps its default.
Set($BcryptCost, 4);
1;
"""

PREPARE = """use lib 'RT_LIB';
use RT; RT::LoadConfig(); RT::Init();
my $u = RT::User->new(RT->SystemUser); $u->Load('root');
for my $name (NAMES) {
    my $cf = RT::CustomField->new(RT->SystemUser);
    my ($id, $msg) = $cf->Create(Name => $name, Type => 'Freeform', MaxValues => 1,
                                 LookupType => 'RT::Queue-RT::Ticket');
    die "custom field: $msg" unless $id;
    my ($ok, $m2) = $cf->AddToObject(RT::Queue->new(RT->SystemUser));
    die "apply: $m2" unless $ok;
}
# Staff (privileged users) may own and work tickets, as on a desk's RT.
my $staff = RT::Group->new(RT->SystemUser); $staff->LoadSystemInternalGroup('Privileged');
for my $right (qw(OwnTicket ShowTicket SeeQueue ModifyTicket ReplyToTicket CommentOnTicket SeeCustomField ModifyCustomField)) {
    my ($granted, $why) = $staff->PrincipalObj->GrantRight(Right => $right, Object => $RT::System);
    die "right $right: $why" unless $granted;
}
my $t = RT::AuthToken->new(RT::CurrentUser->new($u));
my ($ok, $msg, $auth) = $t->Create(Owner => $u->Id, Description => 'desk tests');
die "token: $msg" unless $ok;
print "$auth\\n";
""".replace("RT_LIB", RT_LIB).replace("NAMES", ", ".join(repr(name) for name in RT_FIELD_NAMES))


def available() -> bool:
    return os.path.exists(SETUP) and os.path.exists(SERVER) and shutil.which("perl") is not None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RTServer:
    url: str
    token: str
    process: subprocess.Popen[bytes]
    directory: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url + "/REST/2.0", timeout=60,
                            headers={"Authorization": f"token {self.token}", "User-Agent": "desk-tests"})


FILL = """use lib 'RT_LIB';
use RT; RT::LoadConfig(); RT::Init();
my ($n, $queue) = @ARGV;
my $u = RT::User->new(RT->SystemUser); $u->Load('root');
my $cu = RT::CurrentUser->new($u);
my $q = RT::Queue->new($cu); $q->Load($queue);
unless ($q->Id) { my ($ok, $msg) = $q->Create(Name => $queue); die "queue: $msg" unless $ok; }
$RT::Handle->BeginTransaction;
for my $i (1..$n) {
    my $t = RT::Ticket->new($cu);
    my ($id, $txn, $msg) = $t->Create(
        Queue => $queue, Subject => "Bulk ticket $i", Requestor => ["person" . ($i % 500) . '@uni.test'],
        Priority => (25, 50, 75, 100)[$i % 4],
        MIMEObj => MIME::Entity->build(Type => 'text/plain', Data => "Body of ticket $i", Charset => 'UTF-8'));
    die "ticket: $msg" unless $id;
    if ($i % 500 == 0) { $RT::Handle->Commit; $RT::Handle->BeginTransaction; }
}
$RT::Handle->Commit;
""".replace("RT_LIB", RT_LIB)


MERGE = """use lib 'RT_LIB';
use RT; RT::LoadConfig(); RT::Init();
my ($from, $into) = @ARGV;
my $t = RT::Ticket->new(RT->SystemUser); $t->Load($from);
my ($ok, $msg) = $t->MergeInto($into);
die "merge: $msg" unless $ok;
""".replace("RT_LIB", RT_LIB)


def merge(server: RTServer, ticket: str, into: str) -> None:
    """Merge RT ticket ``ticket`` into ``into`` as a person does in RT's web UI (REST 2 has no
    merge call): RT then answers the old id with the survivor (EffectiveId)."""
    env = _environment(server.directory, free_port())
    (server.directory / "merge.pl").write_text(MERGE)
    subprocess.run(["perl", str(server.directory / "merge.pl"), str(ticket), str(into)], env=env, check=True,
                   capture_output=True, timeout=120)


AGENT_TOKEN = """use lib 'RT_LIB';
use RT; RT::LoadConfig(); RT::Init();
my ($email, $login, $name, $privileged) = @ARGV;
my $u = RT::User->new(RT->SystemUser); $u->LoadByEmail($email);
unless ($u->Id) {
    my ($id, $msg) = $u->Create(Name => $login, EmailAddress => $email, RealName => $name, Privileged => $privileged);
    die "user: $msg" unless $id;
}
my $t = RT::AuthToken->new(RT->SystemUser);
my ($ok, $msg, $auth) = $t->Create(Owner => $u->Id, Description => 'desk tests (an agent of the desk)');
die "token: $msg" unless $ok;
print "$auth\\n";
""".replace("RT_LIB", RT_LIB)


def agent_token(server: RTServer, *, email: str, login: str, name: str, privileged: bool = True) -> str:
    """An auth token of the RT user with ``email`` (made as ``login``, staff unless not
    ``privileged``, when RT has none yet), created as rt_server makes the sync token: through RT's Perl API, as an agent
    makes one in RT (Logged in as → Settings → Auth Tokens)."""
    env = _environment(server.directory, free_port())
    (server.directory / "agent-token.pl").write_text(AGENT_TOKEN)
    done = subprocess.run(["perl", str(server.directory / "agent-token.pl"), email, login, name,
                           "1" if privileged else "0"], env=env,
                          check=True, capture_output=True, timeout=120)
    return done.stdout.decode().strip().splitlines()[-1]


def _environment(directory: Path, port: int) -> dict[str, str]:
    (directory / "conf.d").mkdir(parents=True, exist_ok=True)
    config = directory / "RT_SiteConfig.pm"
    config.write_text(SITE_CONFIG.format(db=directory / "rt.db", port=port))
    return {**os.environ, "RT_SITE_CONFIG": str(config), "RT_SITE_CONFIG_DIR": str(directory / "conf.d")}


def init_database(directory: Path) -> str:
    """A fresh RT database in ``directory`` with Desk's custom fields; returns root's token."""
    env = _environment(directory, free_port())
    with (directory / "setup.log").open("wb") as log:
        subprocess.run([SETUP, "--action", "init", "--skip-create"], env=env, check=True, stdout=log,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=300)
    (directory / "prepare.pl").write_text(PREPARE)
    token = subprocess.run(["perl", str(directory / "prepare.pl")], env=env, check=True, capture_output=True,
                           timeout=120).stdout.decode().strip().splitlines()[-1]
    (directory / "token").write_text(token)
    return token


def fill(directory: Path, tickets: int, queue: str) -> None:
    """Bulk-create tickets through RT's Perl API with the scrips removed (benchmark data only)."""
    env = _environment(directory, free_port())
    with closing(sqlite3.connect(directory / "rt.db")) as conn, conn:
        conn.execute("DELETE FROM ObjectScrips")  # no autoreplies: 10x faster creation
    (directory / "fill.pl").write_text(FILL)
    subprocess.run(["perl", str(directory / "fill.pl"), str(tickets), queue], env=env, check=True,
                   capture_output=True, timeout=3600)


def launch(directory: Path, token: str, *, workers: int = 2) -> RTServer:
    """Serve the database already in ``directory`` on a free loopback port."""
    port = free_port()
    env = _environment(directory, port)
    with (directory / "server.log").open("wb") as server_log:  # the child keeps its own copy
        # Starlet (Debian: starlet, pulled in by rt5-standalone) serves several requests at once;
        # without it, Plack's single-process HTTP::Server::PSGI (a request-tracker5 dependency).
        server_args = (["--server", "Starlet", "--max-workers", str(workers)] if os.path.exists(STARLET)
                       else ["--server", "Standalone"])
        process = subprocess.Popen(
            [SERVER, *server_args, "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=server_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    server = RTServer(url=f"http://127.0.0.1:{port}", token=token, process=process, directory=directory)
    deadline = time.monotonic() + 120
    with server.client() as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"rt-server exited; see {directory / 'server.log'}")
            try:
                if client.get("/rt").status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"rt-server did not answer within 120 s; see {directory / 'server.log'}")
            time.sleep(0.2)


def start(directory: Path, *, workers: int = 2) -> RTServer:
    directory.mkdir(parents=True, exist_ok=True)
    return launch(directory, init_database(directory), workers=workers)
