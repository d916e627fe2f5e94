// Command helpium runs the Helpium server and its maintenance tasks.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // business hours need zone data even where the OS has none

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/answer"
	"github.com/helpium/helpium/blob"
	"github.com/helpium/helpium/config"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/events"
	"github.com/helpium/helpium/mail"
	"github.com/helpium/helpium/metrics"
	"github.com/helpium/helpium/search"
	"github.com/helpium/helpium/secret"
	"github.com/helpium/helpium/server"
	"github.com/helpium/helpium/service"
	"github.com/helpium/helpium/webhook"
)

const usage = `usage: helpium <command> [flags]

commands:
  serve [-migrate] [-seed]       run the HTTP server
  migrate                        apply database migrations
  seed                           create the demo workspace and print its widget key
  workspace create -name NAME [-owner-email E]
                                 create a workspace with an owner agent; print JSON
  agent create -workspace ID -email E -role owner|admin|agent [-name N]
                                 add an agent to a workspace; print JSON with a token
  kb import --api-key KEY FILE.json
                                 import (or update, by id) a workspace's articles; wait until searchable
  reindex [-workspace ID]        rebuild the search index from PostgreSQL
  keys rotate                    re-encrypt stored bearer tokens and webhook secrets under the first key of HELPIUM_ENCRYPTION_KEY
  keys generate [-id ID]         print a new key for HELPIUM_ENCRYPTION_KEY
  config                         print the effective configuration, secrets redacted
`

func main() {
	gin.SetMode(gin.ReleaseMode)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "helpium:", err)
		os.Exit(1)
	}
}

// run executes one command. Every dependency is built here, explicitly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := server.NewLogger(stderr, logFormat(cfg.LogFormat, stderr), parseLevel(cfg.LogLevel))

	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, cfg, log, rest, stdout, getenv)
	case "migrate":
		return withDB(ctx, cfg, func(bdb *bun.DB) error {
			if err := db.Migrate(ctx, bdb); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "migrations applied")
			return nil
		})
	case "seed":
		return withDB(ctx, cfg, func(bdb *bun.DB) error {
			ws, err := service.New(db.NewStore(bdb), service.Options{Logger: log}).Workspaces.SeedDemo(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "demo workspace %q, widget API key: %s\n", ws.Name, ws.APIKey)
			return nil
		})
	case "kb":
		return kbCmd(ctx, cfg, log, rest, stdout)
	case "reindex":
		return reindexCmd(ctx, cfg, log, rest, stdout)
	case "workspace":
		return workspaceCmd(ctx, cfg, log, rest, stdout)
	case "agent":
		return agentCmd(ctx, cfg, log, rest, stdout)
	case "keys":
		return keysCmd(ctx, cfg, log, rest, stdout)
	case "config":
		return printConfig(cfg, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func withDB(ctx context.Context, cfg config.Config, fn func(*bun.DB) error) error {
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL: required (make run sets it; or point it at PostgreSQL)")
	}
	bdb, err := db.Open(ctx, cfg.DatabaseURL, db.Options{MaxOpenConns: cfg.DBMaxConns, Debug: cfg.DBDebug})
	if err != nil {
		return err
	}
	defer bdb.Close()
	return fn(bdb)
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	migrate := fs.Bool("migrate", false, "apply migrations before serving")
	seed := fs.Bool("seed", false, "create the demo workspace and its knowledge base before serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.RequireServices(); err != nil {
		return err
	}
	wv, err := search.NewWeaviate(cfg.WeaviateURL)
	if err != nil {
		return err
	}
	keyring, err := loadKeyring(cfg)
	if err != nil {
		return err
	}
	return withDB(ctx, cfg, func(bdb *bun.DB) error {
		if *migrate {
			if err := db.Migrate(ctx, bdb); err != nil {
				return err
			}
		}
		broker := events.NewBroker(cfg.DatabaseURL, log)
		ctx, stop := context.WithCancel(ctx)
		defer stop()
		brokerDone := make(chan error, 1)
		go func() { brokerDone <- broker.Run(ctx) }()
		defer func() { stop(); <-brokerDone }()

		store := db.NewStore(bdb)
		m := metrics.New()
		indexer, err := newIndexer(ctx, cfg, log, store, m)
		if err != nil {
			return err
		}
		indexerDone := make(chan error, 1)
		go func() { indexerDone <- indexer.Run(ctx) }()
		defer func() { stop(); <-indexerDone }()

		limiter, err := newRateLimiter(ctx, cfg, log)
		if err != nil {
			return err
		}
		executor, model, err := newActions(cfg)
		if err != nil {
			return err
		}
		var generator answer.Generator // extractive unless a model is configured
		if model != nil {
			g := answer.NewLLM(model)
			g.Log = log
			g.Fallback.Similarity = indexer.Index() // as the service's default has it
			generator = g
		}
		var publicURL string // email is off without an SMTP server
		if cfg.SMTPHost != "" {
			sender, err := mail.NewSMTP(mail.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
				Password: cfg.SMTPPassword, From: cfg.MailFrom, TLS: cfg.SMTPTLS})
			if err != nil {
				return err
			}
			mailer := mail.NewMailer(store, sender, log, mail.MailerOptions{})
			mailerDone := make(chan struct{})
			go func() { mailer.Run(ctx); close(mailerDone) }()
			defer func() { stop(); <-mailerDone }()
			publicURL = cfg.PublicURL
		}
		blobs, err := blob.FromConfig(ctx, cfg)
		if err != nil {
			return err
		}
		svc := service.New(store, service.Options{Logger: log, Events: broker, Secrets: keyring, Actions: executor, LLM: model, Search: indexer.Index(),
			RateLimiter: limiter, AgentRateLimit: cfg.AgentRateLimit, Generator: generator, Metrics: m,
			AnswerCacheTTL: answerCacheTTL(cfg.AnswerCacheTTL), PublicURL: publicURL, Blobs: blobs})
		var demo string
		if *seed {
			ws, err := svc.Workspaces.SeedDemo(ctx)
			if err != nil {
				return err
			}
			if err := seedDemoKB(ctx, svc, ws, log); err != nil {
				return err
			}
			demo = ws.APIKey
		}
		runDone, sweepDone, awayDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
		go func() { svc.Run(ctx); close(runDone) }()
		go func() { svc.Files.RunAttachmentSweeps(ctx, 10*time.Minute); close(sweepDone) }()
		go func() { svc.Notifications.RunAwayEmails(ctx, 30*time.Second); close(awayDone) }()
		defer func() { stop(); <-runDone; <-sweepDone; <-awayDone }()
		dispatcher := webhook.New(store, executor, keyring, broker, m, log, webhook.Options{})
		dispatcherDone := make(chan struct{})
		go func() { dispatcher.Run(ctx); close(dispatcherDone) }()
		defer func() { stop(); <-dispatcherDone }()
		if err := serveAdmin(ctx, cfg.AdminAddr, m, log); err != nil {
			return err
		}

		m.WatchDB(bdb.DB)
		// queue reports a queue's depth and the age of its oldest item as
		// two gauges; stats reads them with a short deadline per scrape.
		queue := func(depth, depthHelp, age, ageHelp string, stats func(context.Context) (int, time.Duration, error)) {
			read := func() (int, time.Duration) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				n, a, _ := stats(ctx)
				return n, a
			}
			m.Gauge(depth, depthHelp, func() float64 { n, _ := read(); return float64(n) })
			if age != "" {
				m.Gauge(age, ageHelp, func() float64 { _, a := read(); return a.Seconds() })
			}
		}
		queue("helpium_outbox_depth", "Knowledge-base changes waiting to be indexed.",
			"helpium_outbox_oldest_seconds", "Age of the oldest change waiting to be indexed.", store.OutboxStats)
		queue("helpium_mail_outbox_depth", "Emails waiting to be sent.", "", "", store.MailQueue)
		queue("helpium_webhook_queue_depth", "Webhook deliveries waiting for an attempt.",
			"helpium_webhook_oldest_pending_seconds", "Age of the oldest webhook delivery not yet delivered.", store.WebhookQueue)
		m.Gauge("helpium_event_subscribers", "Live event subscriptions on this replica.", func() float64 { return float64(broker.Subscribers()) })
		h := server.NewHandler(server.Deps{Service: svc, Weaviate: wv, Events: broker, Logger: log, Metrics: m, MetricsToken: cfg.MetricsToken,
			TrustedProxies: cfg.TrustedProxies, MaxStreamsPerWorkspace: cfg.MaxStreams})
		return server.Serve(ctx, cfg.Addr, h, cfg.ShutdownTimeout, log, func(a net.Addr) {
			log.Info("listening", "addr", a.String())
			base := "http://" + a.String()
			fmt.Fprintf(stdout, "\nHelpium is running at %s\n", base)
			fmt.Fprintf(stdout, "  Agent app      %s/app\n", base)
			fmt.Fprintf(stdout, "  Customer API   %s/api/customer\n", base)
			fmt.Fprintf(stdout, "  GraphQL        %s/graphql  (playground: %s/playground)\n", base, base)
			fmt.Fprintf(stdout, "  Health         %s/healthz  %s/readyz\n", base, base)
			fmt.Fprintf(stdout, "  API docs       %s/api/customer/docs\n", base)
			if demo != "" {
				fmt.Fprintf(stdout, "  Widget demo    %s/demo\n", base)
			}
			if mailpit := getenv("MAILPIT_URL"); mailpit != "" {
				fmt.Fprintf(stdout, "  Mail sent      %s  (Mailpit: invitations, password resets)\n", mailpit)
			}
			if demo != "" {
				fmt.Fprintf(stdout, "  Demo widget key (X-API-Key): %s\n", demo)
				fmt.Fprintf(stdout, "  Demo agent app login: %s / %s\n", service.DemoOwnerEmail, service.DemoOwnerPassword)
			}
			fmt.Fprintf(stdout, "Press Ctrl-C to stop.\n\n")
		})
	})
}

func workspaceCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: helpium workspace create -name NAME [-owner-email EMAIL]")
	}
	fs := flag.NewFlagSet("workspace create", flag.ContinueOnError)
	name := fs.String("name", "", "workspace name")
	ownerEmail := fs.String("owner-email", "", "the owner agent's email (default: a generated local address)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return withDB(ctx, cfg, func(bdb *bun.DB) error {
		o, err := service.New(db.NewStore(bdb), service.Options{Logger: log}).Accounts.CreateWorkspaceWithOwner(ctx, *name, *ownerEmail)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(map[string]any{
			"id": o.Workspace.ID, "name": o.Workspace.Name, "api_key": o.Workspace.APIKey,
			"identity_secret": o.Workspace.IdentitySecret,
			"owner":           map[string]string{"email": o.Email, "password": o.Password, "token": o.Token},
		})
	})
}

func agentCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: helpium agent create -workspace ID -email EMAIL -role owner|admin|agent [-name NAME]")
	}
	fs := flag.NewFlagSet("agent create", flag.ContinueOnError)
	workspace := fs.String("workspace", "", "workspace id")
	email := fs.String("email", "", "agent email")
	name := fs.String("name", "", "agent name (default: the email's local part)")
	role := fs.String("role", "agent", "owner, admin or agent")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return withDB(ctx, cfg, func(bdb *bun.DB) error {
		a, token, password, err := service.New(db.NewStore(bdb), service.Options{Logger: log}).
			Accounts.CreateMember(ctx, *workspace, *email, *name, helpium.Role(*role))
		if err != nil {
			return err
		}
		out := map[string]any{"id": a.ID, "email": a.Email, "name": a.Name, "role": *role, "token": token}
		if password != "" {
			out["password"] = password
		}
		return json.NewEncoder(stdout).Encode(out)
	})
}

func loadKeyring(cfg config.Config) (*secret.Keyring, error) {
	if cfg.EncryptionKey == "" {
		return nil, errors.New("HELPIUM_ENCRYPTION_KEY: required; generate one with `helpium keys generate`")
	}
	k, err := secret.ParseKeyring(cfg.EncryptionKey)
	if err != nil {
		return nil, fmt.Errorf("HELPIUM_ENCRYPTION_KEY: %w", err)
	}
	return k, nil
}

func keysCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "generate" {
		fs := flag.NewFlagSet("keys generate", flag.ContinueOnError)
		id := fs.String("id", "k"+time.Now().UTC().Format("20060102"), "key id")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		fmt.Fprintln(stdout, secret.NewKeySpec(*id))
		return nil
	}
	if len(args) == 0 || args[0] != "rotate" {
		return errors.New("usage: helpium keys rotate | helpium keys generate [-id ID]")
	}
	keyring, err := loadKeyring(cfg)
	if err != nil {
		return err
	}
	return withDB(ctx, cfg, func(bdb *bun.DB) error {
		svc := service.New(db.NewStore(bdb), service.Options{Logger: log, Secrets: keyring})
		tokens, err := svc.Identity.RotateBearerTokens(ctx)
		if err != nil {
			return err
		}
		endpoints, err := svc.Webhooks.RotateWebhookSecrets(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "re-encrypted %d bearer tokens and the secrets of %d webhook endpoints under key %q\n", tokens, endpoints, keyring.PrimaryID())
		return nil
	})
}

// printConfig prints every variable's effective value, secrets redacted.
func printConfig(cfg config.Config, stdout io.Writer) error {
	for _, v := range config.Vars {
		val := cfg.Effective(v.Name)
		if v.Secret && val != "" {
			val = "[redacted]"
		}
		fmt.Fprintf(stdout, "%s=%s\n", v.Name, val)
	}
	return nil
}

func parseLevel(s string) slog.Level {
	var l slog.Level
	l.UnmarshalText([]byte(s)) //nolint:errcheck // validated by config.Load
	return l
}

// answerCacheTTL maps the configuration's 0 ("off") to the service's
// negative TTL; the service treats 0 as its default.
func answerCacheTTL(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// logFormat resolves HELPIUM_LOG_FORMAT=auto: text for a person at a
// terminal, json for everything that collects logs.
func logFormat(format string, w io.Writer) string {
	if format != "auto" {
		return format
	}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return "text"
		}
	}
	return "json"
}
