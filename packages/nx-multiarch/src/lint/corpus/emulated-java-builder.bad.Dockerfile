FROM gradle:8.8-jdk21 AS build
WORKDIR /home/gradle/src
COPY --chown=gradle:gradle . .
RUN gradle bootJar --no-daemon

FROM eclipse-temurin:21-jre
COPY --from=0 /home/gradle/src/build/libs/app.jar /app.jar
ENTRYPOINT ["java", "-jar", "/app.jar"]
