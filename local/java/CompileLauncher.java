import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * javac for a JRE: compiles with the jdk.compiler module that Java's source-file mode
 * already needs, so local mode compiles LoopbackDynamoDb.java once instead of at every
 * start, where no javac binary is installed (Debian's openjdk-17-jre-headless has none).
 * Arguments are javac's; the exit status is its.
 */
public class CompileLauncher {
  public static void main(String[] args) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      System.err.println("no Java compiler in this runtime");
      System.exit(2);
    }
    System.exit(javac.run(null, null, null, args));
  }
}
