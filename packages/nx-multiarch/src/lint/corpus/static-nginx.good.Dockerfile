FROM --platform=${BUILDPLATFORM} node:20-alpine AS assets
WORKDIR /site
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile
COPY . .
RUN yarn build

FROM --platform=$TARGETPLATFORM nginx:1.27-alpine
COPY nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=assets /site/dist /usr/share/nginx/html
EXPOSE 8080
