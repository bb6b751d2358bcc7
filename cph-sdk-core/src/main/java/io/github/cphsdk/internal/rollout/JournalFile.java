package io.github.cphsdk.internal.rollout;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.cphsdk.internal.json.Json;
import io.github.cphsdk.rollout.RolloutJournalException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An append-only JSON Lines file: one JSON object per line, each line ended by {@code \n}. Records are values
 * of {@link Map} (strings, numbers, booleans, lists, maps, {@code null}) written with Jackson's streaming API,
 * through the SDK's one bounded factory ({@link Json}): a damaged journal meets the input limits of an answer.
 *
 * <p>Reading: a last line without its {@code \n} is a write the process did not finish (a crash); it is dropped,
 * and the file is cut back to the last whole line before anything is appended. Any other line that is not a JSON
 * object is an error naming its line number. {@link #append} writes the whole line with one positional write;
 * {@link #force} makes everything written so far durable ({@link FileChannel#force}).
 */
public final class JournalFile implements AutoCloseable {
  private final Path path;
  private final FileChannel channel;
  private final List<Map<String, Object>> records;
  private final boolean tornLineDropped;

  private JournalFile(Path path, FileChannel channel, List<Map<String, Object>> records, boolean torn) {
    this.path = path;
    this.channel = channel;
    this.records = records;
    this.tornLineDropped = torn;
  }

  /** Reads the records of {@code path} (none when it does not exist) without opening it for writing. */
  public static List<Map<String, Object>> read(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return new ArrayList<>();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the rollout journal " + path + ": " + e.getMessage(), e);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    parse(path, bytes, out);
    return out;
  }

  /**
   * Opens (creating it if needed) {@code path} for appending, after reading its records; cuts off a torn last
   * line.
   */
  public static JournalFile open(Path path) {
    FileChannel ch;
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new UncheckedIOException(new NoSuchFileException(parent.toString(), null,
            "the rollout journal's directory does not exist"));
      }
      ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the rollout journal " + path + ": " + e.getMessage(), e);
    }
    try {
      long size = ch.size();
      if (size > Integer.MAX_VALUE - 16) {
        throw new RolloutJournalException("the rollout journal " + path + " is too large (" + size + " bytes)", 0);
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {
        // read all
      }
      List<Map<String, Object>> records = new ArrayList<>();
      int whole = parse(path, buf.array(), records);
      boolean torn = whole < size;
      if (torn) {
        ch.truncate(whole);
        ch.force(true);
      }
      ch.position(whole);
      return new JournalFile(path, ch, records, torn);
    } catch (IOException e) {
      closeQuietly(ch);
      throw new UncheckedIOException("cannot read the rollout journal " + path + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  /** Parses every whole line into {@code out}; returns the length of the whole lines (where a torn tail starts). */
  private static int parse(Path path, byte[] bytes, List<Map<String, Object>> out) {
    int start = 0;
    int line = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      line++;
      if (end == bytes.length) {
        return start; // no newline: a write cut short by a crash
      }
      if (end > start) {
        try {
          out.add(parseLine(bytes, start, end - start));
        } catch (IOException | RuntimeException e) {
          throw new RolloutJournalException("the rollout journal " + path + " is damaged at line " + line
              + ": not a JSON object (" + e.getMessage().split("\n", 2)[0] + "); only a torn last line is "
              + "tolerated, so this file was changed by something else than a rollout", line);
        }
      }
      start = end + 1;
    }
    return start;
  }

  private static Map<String, Object> parseLine(byte[] bytes, int offset, int length) throws IOException {
    try (JsonParser p = Json.parser(ByteBuffer.wrap(bytes, offset, length))) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("a line must hold one JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> value = (Map<String, Object>) value(p);
      if (p.nextToken() != null) {
        throw new IOException("text after the JSON object");
      }
      return value;
    }
  }

  private static Object value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT: {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          m.put(name, value(p));
        }
        return m;
      }
      case START_ARRAY: {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(value(p));
        }
        return l;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected " + t);
    }
  }

  /** {@return the records read when the file was opened, in order} */
  public List<Map<String, Object>> records() {
    return records;
  }

  /** {@return whether a torn last line was cut off when the file was opened} */
  public boolean tornLineDropped() {
    return tornLineDropped;
  }

  /** {@return the file} */
  public Path path() {
    return path;
  }

  /** Appends one record as one line (not yet forced). */
  public synchronized void append(Map<String, Object> record) {
    byte[] line = encode(record);
    try {
      ByteBuffer buf = ByteBuffer.wrap(line);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rollout journal " + path + ": " + e.getMessage(), e);
    }
  }

  /** Makes every appended record durable. */
  public synchronized void force() {
    try {
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rollout journal " + path + ": " + e.getMessage(), e);
    }
  }

  /** One record as one line of JSON with its {@code \n}. */
  static byte[] encode(Map<String, Object> record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = Json.generator(out)) {
      write(g, record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String) {
      g.writeString((String) v);
    } else if (v instanceof Boolean) {
      g.writeBoolean((Boolean) v);
    } else if (v instanceof Integer || v instanceof Long) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Number) {
      g.writeNumber(((Number) v).doubleValue());
    } else if (v instanceof Map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (e.getValue() != null) {
          g.writeFieldName((String) e.getKey());
          write(g, e.getValue());
        }
      }
      g.writeEndObject();
    } else if (v instanceof List) {
      g.writeStartArray();
      for (Object o : (List<?>) v) {
        write(g, o);
      }
      g.writeEndArray();
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " to the journal");
    }
  }

  @Override
  public synchronized void close() {
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing was lost: every record that mattered was forced
    }
  }
}
