package minikv.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.time.Instant;
import org.slf4j.LoggerFactory;

/**
 * Feeds every warning and error logged anywhere in the process into a {@link RecentProblems},
 * so the status page shows them without each call site knowing about it.
 */
final class RecentProblemsAppender extends AppenderBase<ILoggingEvent> {

    private final RecentProblems problems;

    private RecentProblemsAppender(RecentProblems problems) {
        this.problems = problems;
        setName("recent-problems");
    }

    /**
     * Attaches to the root logger; returns what detaches it again. Without Logback as the
     * logging backend (a test's classpath may differ) there is nothing to attach to.
     */
    static Runnable attach(RecentProblems problems) {
        if (!(LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root)) {
            return () -> { };
        }
        RecentProblemsAppender appender = new RecentProblemsAppender(problems);
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
        return () -> {
            root.detachAppender(appender);
            appender.stop();
        };
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!event.getLevel().isGreaterOrEqual(Level.WARN)) {
            return;
        }
        String message = event.getFormattedMessage();
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            message += " (" + thrown.getClassName() + ": " + thrown.getMessage() + ")";
        }
        problems.add(new RecentProblems.Problem(Instant.ofEpochMilli(event.getTimeStamp()), event.getLevel().toString(),
                shortName(event.getLoggerName()), message));
    }

    private static String shortName(String logger) {
        return logger.substring(logger.lastIndexOf('.') + 1);
    }
}
