package dev.lmpipe.spark;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.connect.IllegalConnectorArgumentsException;
import com.sun.jdi.connect.ListeningConnector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.ClassPrepareEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.event.VMDeathEvent;
import com.sun.jdi.event.VMDisconnectEvent;
import com.sun.jdi.request.EventRequest;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;

/**
 * A child JVM run under the JDK's debugger interface (jdk.jdi) that stops, every thread suspended, the moment it
 * enters one method, so that a test can {@code kill -9} it at exactly that point of a real run. The code under test
 * carries no crash hook: the breakpoint is set from outside, as a debugger sets it.
 */
final class MethodEntryTrap {
    private final Process process;
    private final VirtualMachine vm;
    private final String className;
    private final String methodName;

    private MethodEntryTrap(Process process, VirtualMachine vm, String className, String methodName) {
        this.process = process;
        this.vm = vm;
        this.className = className;
        this.methodName = methodName;
    }

    /**
     * Starts {@code builder}'s command, a {@code java} command line, with the debugging agent connecting back to
     * this JVM and the child suspended until the trap is set.
     */
    static MethodEntryTrap start(ProcessBuilder builder, String className, String methodName) throws IOException {
        ListeningConnector connector = Bootstrap.virtualMachineManager().listeningConnectors().stream()
                .filter(c -> c.transport().name().equals("dt_socket")).findFirst().orElseThrow();
        Map<String, Connector.Argument> arguments = connector.defaultArguments();
        arguments.get("localAddress").setValue("127.0.0.1");
        arguments.get("port").setValue("0");
        arguments.get("timeout").setValue("60000");
        try {
            String address = connector.startListening(arguments);
            try {
                var command = new ArrayList<>(builder.command());
                command.add(1, "-agentlib:jdwp=transport=dt_socket,server=n,suspend=y,address=" + address);
                Process process = builder.command(command).start();
                VirtualMachine vm = connector.accept(arguments);
                var prepared = vm.eventRequestManager().createClassPrepareRequest();
                prepared.addClassFilter(className);
                prepared.setSuspendPolicy(EventRequest.SUSPEND_ALL);
                prepared.enable();
                vm.resume();
                return new MethodEntryTrap(process, vm, className, methodName);
            } finally {
                connector.stopListening(arguments);
            }
        } catch (IllegalConnectorArgumentsException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs the child until it enters the method (true: it is stopped there) or exits without entering it (false).
     * Fails after {@code limit}.
     */
    boolean awaitEntry(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            EventSet events = vm.eventQueue().remove(1000);
            if (events == null) {
                continue;
            }
            for (Event event : events) {
                if (event instanceof BreakpointEvent) {
                    return true; // every thread stays suspended
                }
                if (event instanceof VMDeathEvent || event instanceof VMDisconnectEvent) {
                    return false;
                }
                if (event instanceof ClassPrepareEvent prepared) {
                    var method = prepared.referenceType().methodsByName(methodName);
                    if (method.size() != 1) {
                        throw new IllegalStateException(className + " has " + method.size() + " methods named "
                                + methodName + "; the trap needs exactly one");
                    }
                    var breakpoint = vm.eventRequestManager().createBreakpointRequest(method.get(0).location());
                    breakpoint.setSuspendPolicy(EventRequest.SUSPEND_ALL);
                    breakpoint.enable();
                }
            }
            events.resume();
        }
        throw new AssertionError("the child did not reach " + className + "." + methodName + " within " + limit);
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hooks, no finally blocks. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    Process process() {
        return process;
    }
}
