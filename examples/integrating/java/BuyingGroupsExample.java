import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A buying-groups producer and consumer with the plain Java client (kafka-clients) and Apache
 * Avro, both from Maven Central. Schemas come from the repository's avro/ folder.
 *
 * <pre>
 * produce BOOTSTRAP PREFIX AVRO_DIR ACCOUNT_ID NAME [REGISTRY_URL]
 *     publishes one AccountEvent to PREFIX.accounts, keyed by the account id, in Avro's
 *     single-object encoding (BinaryMessageEncoder), or in Confluent framing written by hand
 *     when REGISTRY_URL is given (the schema registered under PREFIX.accounts-value).
 * consume BOOTSTRAP TOPIC AVRO_DIR RECORD_FULL_NAME COUNT [REGISTRY_URL]
 *     reads TOPIC from the beginning and prints COUNT records as JSON, one a line, whichever
 *     framing they are in (Confluent framing needs REGISTRY_URL, for the writer's schema).
 * </pre>
 */
public final class BuyingGroupsExample {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private BuyingGroupsExample() {}

  public static void main(String[] args) throws Exception {
    Path avro = Path.of(args[3]);
    String registry = args.length > 6 ? args[6] : null;
    if (args[0].equals("produce")) {
      produce(args[1], args[2], avro, args[4], args[5], registry);
    } else if (args[0].equals("consume")) {
      consume(args[1], args[2], avro, args[4], Integer.parseInt(args[5]), registry);
    } else {
      throw new IllegalArgumentException("first argument: produce or consume");
    }
  }

  /** The self-contained schema of a record, from the bundle in avro/self-contained/. */
  static Schema schema(Path avro, String fullName) throws IOException {
    return new Schema.Parser().parse(avro.resolve("self-contained").resolve(fullName + ".avsc").toFile());
  }

  static void produce(String bootstrap, String prefix, Path avro, String accountId, String name,
      String registry) throws Exception {
    Schema schema = schema(avro, "buying_groups.AccountEvent");
    GenericRecord account = new GenericRecordBuilder(schema)
        .set("event_id", UUID.randomUUID().toString())
        .set("occurred_at", Instant.now().toEpochMilli()) // timestamp-millis: a long
        .set("account_id", accountId)
        .set("name", name)
        .build(); // every other field takes its default
    String topic = prefix + ".accounts";
    byte[] value = registry == null
        ? bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(account))
        : confluentFramed(register(registry, topic + "-value", schema), schema, account);
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    // Java's default partitioner hashes the key with murmur2: the partition the engine expects.
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, accountId, value)).get();
    }
    System.out.println("produced " + account);
  }

  static void consume(String bootstrap, String topic, Path avro, String fullName, int count,
      String registry) throws Exception {
    Schema reader = schema(avro, fullName);
    BinaryMessageDecoder<GenericRecord> singleObject =
        new BinaryMessageDecoder<>(GenericData.get(), reader);
    try (DirectoryStream<Path> older = Files.newDirectoryStream(avro.resolve("history"), fullName + ".v*.avsc")) {
      for (Path path : older) { // earlier versions, so that old records still decode
        singleObject.addSchema(new Schema.Parser().parse(path.toFile()));
      }
    }
    Map<Integer, Schema> writers = new HashMap<>();
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      int seen = 0;
      Instant deadline = Instant.now().plusSeconds(30);
      while (seen < count && Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, byte[]> message : consumer.poll(Duration.ofMillis(500))) {
          byte[] value = message.value();
          GenericRecord record = value[0] == 0
              ? confluentDecoded(value, reader, writers, registry)
              : singleObject.decode(value);
          System.out.println(record);
          seen++;
        }
      }
      if (seen < count) {
        throw new IllegalStateException("read " + seen + " of " + count + " records from " + topic);
      }
    }
  }

  /** Confluent framing: 0x00, the 4-byte big-endian schema id, then the Avro binary body. */
  static byte[] confluentFramed(int schemaId, Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  static GenericRecord confluentDecoded(byte[] value, Schema reader, Map<Integer, Schema> writers,
      String registry) throws Exception {
    int schemaId = ByteBuffer.wrap(value, 1, 4).getInt();
    Schema writer = writers.get(schemaId);
    if (writer == null) {
      JsonNode found = registryCall(registry, "/schemas/ids/" + schemaId, null);
      writer = new Schema.Parser().parse(found.get("schema").asText());
      writers.put(schemaId, writer);
    }
    return new GenericDatumReader<GenericRecord>(writer, reader)
        .read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
  }

  /** The id of `schema` under `subject`, registering it when the registry lacks it. */
  static int register(String registry, String subject, Schema schema) throws Exception {
    String body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
    return registryCall(registry, "/subjects/" + subject + "/versions", body).get("id").asInt();
  }

  static JsonNode registryCall(String registry, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry + path))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json");
    request = body == null ? request.GET() : request.POST(HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("registry " + path + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}
